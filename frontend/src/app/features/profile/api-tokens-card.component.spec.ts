import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { CAPABILITIES, type CreatedPersonalToken, type PersonalToken, type Team } from '@chatops/protocol';
import { button, q, qa, text, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { ApiTokensCardComponent } from './api-tokens-card.component';

const TOKEN: PersonalToken = {
  id: 't1', name: 'deploy bot', prefix: 'cop_AbCdEfGh', scopes: ['server.read'], teamScope: null,
  expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null, createdAt: '2026-11-01T10:00:00.000Z',
};

const team = (id: string, name: string, role: Team['role']): Team => ({
  id, name, role, memberCount: 1, serverCount: 0, createdAt: '2026-11-01T10:00:00.000Z', updatedAt: '2026-11-01T10:00:00.000Z',
});

describe('ApiTokensCardComponent', () => {
  let fixture: ComponentFixture<ApiTokensCardComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [ApiTokensCardComponent], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(ApiTokensCardComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const load = async (tokens: PersonalToken[], teams: Team[] = []) => {
    http.expectOne('/api/v1/auth/tokens').flush(tokens);
    http.expectOne('/api/v1/teams').flush(teams);
    await fixture.whenStable();
  };
  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;

  it('shows loading, then an empty state', async () => {
    expect(text(fixture)).toContain('Loading…');
    await load([]);
    expect(q(fixture, '[data-testid=tokens-empty]').textContent).toContain('No API tokens yet');
  });

  it('creates a token with a name and expiry, shows the secret once with a copy button, and lists it without the secret', async () => {
    await load([]);
    button(fixture, 'Create token').click();
    await fixture.whenStable();
    expect(text(fixture)).toContain('Name the token');
    http.expectNone({ method: 'POST' });

    type(q(fixture, 'input[formControlName=name]'), ' ci deploys ');
    button(fixture, 'Create token').click();
    await fixture.whenStable();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/auth/tokens' });
    expect(req.request.body.name).toBe('ci deploys');
    expect(req.request.body.scopes).toEqual([]);
    expect(req.request.body).not.toHaveProperty('teams'); // not limited to teams
    const days = (new Date(req.request.body.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const created: CreatedPersonalToken = { ...TOKEN, id: 't2', name: 'ci deploys', scopes: [], token: `cop_${'x'.repeat(43)}` };
    req.flush(created);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=token-once]').textContent).toContain(created.token);
    expect(q(fixture, '[data-testid=token-once] button[aria-label="Copy New API token"]')).toBeTruthy();
    const rows = qa(fixture, '[data-testid=token-row]');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('all your permissions');
    expect(rows[0].textContent).not.toContain(created.token);
    expect(text(fixture)).not.toContain('Name the token'); // the cleared form is not flagged

    button(fixture, 'I saved it').click();
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=token-once]')).toBeNull();
  });

  it('offers the capability names (and admin) as scopes, and creates a token limited to the picked ones', async () => {
    await load([]);
    (q(fixture, 'mat-select[formControlName=scopes] .mat-mdc-select-trigger') as HTMLElement).click();
    await fixture.whenStable();
    const options = [...document.querySelectorAll<HTMLElement>('mat-option')];
    expect(options.map((o) => o.textContent!.trim())).toEqual([...CAPABILITIES, 'admin']);
    expect(options.map((o) => o.textContent!.trim())).not.toContain('docker.act');
    options.find((o) => o.textContent!.trim() === 'metrics.read')!.click();
    options.find((o) => o.textContent!.trim() === 'docker.action')!.click();
    await fixture.whenStable();

    type(q(fixture, 'input[formControlName=name]'), 'grafana');
    button(fixture, 'Create token').click();
    await fixture.whenStable();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/auth/tokens' });
    expect(req.request.body.scopes).toEqual(['metrics.read', 'docker.action']);
    req.flush({ ...TOKEN, id: 't3', name: 'grafana', scopes: ['metrics.read', 'docker.action'], token: `cop_${'y'.repeat(43)}` });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=token-row]').textContent).toContain('metrics.read, docker.action');
  });

  it('lists tokens with scopes and last use; Revoke asks first, then revokes and toasts', async () => {
    await load([TOKEN]);
    const row = q(fixture, '[data-testid=token-row]').textContent!.replace(/\s+/g, ' ');
    expect(row).toContain('deploy bot');
    expect(row).toContain('cop_AbCdEfGh…');
    expect(row).toContain('server.read');
    expect(row).toContain('last used never');
    expect(row).toContain('all your servers');

    button(fixture, 'Revoke').click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('Revoke API token?');
    button(fixture, 'Cancel', dialog()).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone({ method: 'DELETE' });

    button(fixture, 'Revoke').click();
    await fixture.whenStable();
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne({ method: 'DELETE', url: '/api/v1/auth/tokens/t1' }).flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=token-row]')).toHaveLength(0);
    expect(success).toHaveBeenCalledWith('Token revoked');
  });

  it('offers personal servers and the teams you are a member of, and creates a token limited to the picked ones', async () => {
    await load([], [team('a', 'Alpha', 'admin'), team('b', 'Bravo', 'viewer'), team('z', 'Zulu', null)]);
    (q(fixture, 'mat-select[formControlName=teams] .mat-mdc-select-trigger') as HTMLElement).click();
    await fixture.whenStable();
    const options = [...document.querySelectorAll<HTMLElement>('mat-option')];
    // Zulu is a team the instance admin sees without a role: a token cannot be limited to it.
    expect(options.map((o) => o.textContent!.trim())).toEqual(['My personal servers', 'Team Alpha', 'Team Bravo']);
    options[0].click();
    options[2].click();
    await fixture.whenStable();

    type(q(fixture, 'input[formControlName=name]'), 'bravo bot');
    button(fixture, 'Create token').click();
    await fixture.whenStable();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/auth/tokens' });
    expect(req.request.body.teams).toEqual(['personal', 'b']);
    req.flush({ ...TOKEN, id: 't4', name: 'bravo bot', scopes: [], teamScope: { personal: true, teams: [{ id: 'b', name: 'Bravo' }] }, token: `cop_${'z'.repeat(43)}` });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=token-teams]').textContent).toBe('only personal servers, team Bravo');
  });

  it('lists each token\'s teams', async () => {
    await load([
      { ...TOKEN, id: 't5', teamScope: { personal: false, teams: [{ id: 'a', name: 'Alpha' }, { id: 'b', name: 'Bravo' }] } },
      { ...TOKEN, id: 't6', teamScope: { personal: false, teams: [] } },
    ]);
    expect(qa(fixture, '[data-testid=token-teams]').map((e) => e.textContent)).toEqual(['only team Alpha, team Bravo', 'no servers (its teams were deleted)']);
  });
});
