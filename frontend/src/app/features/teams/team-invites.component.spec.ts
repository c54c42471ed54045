import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { CreatedTeamInvite, Team, TeamInvite } from '@chatops/protocol';
import { button, q, qa, text, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { TeamInvitesComponent } from './team-invites.component';

const TEAM: Team = { id: 't1', name: 'Platform', role: 'admin', memberCount: 1, serverCount: 0, createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z' };
const invite = (over: Partial<TeamInvite>): TeamInvite => ({
  id: 'i1', teamId: 't1', role: 'viewer', expiresAt: '2026-12-06T10:00:00.000Z', maxUses: 1, uses: 0, createdBy: 'ada', createdAt: '2026-11-29T10:00:00.000Z', ...over,
});

describe('TeamInvitesComponent', () => {
  let fixture: ComponentFixture<TeamInvitesComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [TeamInvitesComponent],
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(TeamInvitesComponent);
    fixture.componentRef.setInput('team', TEAM);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;
  const pick = async (select: string, label: string) => {
    (q(fixture, `mat-select[data-testid=${select}] .mat-mdc-select-trigger`) as HTMLElement).click();
    await fixture.whenStable();
    [...document.querySelectorAll<HTMLElement>('mat-option')].find((o) => o.textContent!.trim() === label)!.click();
    await fixture.whenStable();
  };

  it('shows loading, then the empty state', async () => {
    expect(text(fixture)).toContain('Loading invites…');
    http.expectOne('/api/v1/teams/t1/invites').flush([]);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=invites-empty]').textContent).toContain('No pending invites');
  });

  it('creates a link with the defaults (viewer, 7 days, 1 use), shows it once to copy, lists it and toasts', async () => {
    http.expectOne('/api/v1/teams/t1/invites').flush([]);
    await fixture.whenStable();
    button(fixture, 'Create invite link').click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/teams/t1/invites' });
    expect(req.request.body).toEqual({ role: 'viewer', expiresInDays: 7, maxUses: 1 });
    const created: CreatedTeamInvite = { ...invite({ id: 'i2' }), token: 'T'.repeat(43) };
    req.flush(created);
    await fixture.whenStable();
    const once = q(fixture, '[data-testid=invite-once]');
    expect(once.textContent).toContain(`/teams/join/${created.token}`);
    expect(once.querySelector('button[aria-label="Copy Invite link"]')).toBeTruthy();
    expect(success).toHaveBeenCalledWith('Invite link created (viewer)');
    const rows = qa(fixture, '[data-testid=invite-row]');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('0/1 used');
    expect(rows[0].textContent).not.toContain(created.token);
    button(fixture, 'Done').click();
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=invite-once]')).toBeNull();
  });

  it('sends the picked role, lifetime and uses; refuses uses out of range without a request', async () => {
    http.expectOne('/api/v1/teams/t1/invites').flush([]);
    await fixture.whenStable();
    await pick('invite-role', 'operator');
    await pick('invite-days', '30 days');
    type(q<HTMLInputElement>(fixture, '[data-testid=invite-uses]'), '0');
    await fixture.whenStable();
    expect(q<HTMLButtonElement>(fixture, '[data-testid=invite-create]').disabled).toBe(true);
    type(q<HTMLInputElement>(fixture, '[data-testid=invite-uses]'), '101');
    await fixture.whenStable();
    expect(q<HTMLButtonElement>(fixture, '[data-testid=invite-create]').disabled).toBe(true);
    http.expectNone({ method: 'POST' });
    type(q<HTMLInputElement>(fixture, '[data-testid=invite-uses]'), '5');
    await fixture.whenStable();
    button(fixture, 'Create invite link').click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/teams/t1/invites' });
    expect(req.request.body).toEqual({ role: 'operator', expiresInDays: 30, maxUses: 5 });
    req.flush({ ...invite({ id: 'i3', role: 'operator', maxUses: 5 }), token: 'U'.repeat(43) });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=invite-row]').textContent).toContain('0/5 used');
  });

  it('lists pending invites; Revoke asks first, then revokes, removes the row and toasts', async () => {
    http.expectOne('/api/v1/teams/t1/invites').flush([invite({}), invite({ id: 'i9', role: 'admin', uses: 1, maxUses: 3 })]);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=invite-row]');
    expect(rows.map((r) => r.textContent!.replace(/\s+/g, ' '))).toEqual([
      expect.stringContaining('viewer · 0/1 used'), expect.stringContaining('admin · 1/3 used'),
    ]);
    q<HTMLButtonElement>(fixture, 'button[aria-label="Revoke the admin invite"]').click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('Revoke invite link?');
    button(fixture, 'Cancel', dialog()).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone({ method: 'DELETE' });

    q<HTMLButtonElement>(fixture, 'button[aria-label="Revoke the admin invite"]').click();
    await fixture.whenStable();
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne({ method: 'DELETE', url: '/api/v1/teams/t1/invites/i9' }).flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=invite-row]')).toHaveLength(1);
    expect(success).toHaveBeenCalledWith('Invite link revoked');
  });
});
