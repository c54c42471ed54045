import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatTooltip } from '@angular/material/tooltip';
import { ROLE_CAPABILITIES } from '@chatops/protocol';
import { silence } from '../../../testing/alert-fixtures';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { SilencesComponent, toLocalInput } from './silences.component';

describe('SilencesComponent', () => {
  let fixture: ComponentFixture<SilencesComponent>;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: NotifyService, useValue: { success: () => undefined, error: () => undefined } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SilencesComponent);
    fixture.componentRef.setInput('servers', [server({ id: 's1', name: 'web-1' })]);
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  it('lists active and ended silences with the server, metric and end, in words', async () => {
    http.expectOne('/api/v1/alerts/silences').flush([
      silence({ id: 'x', serverId: 's1', metricType: 'cpu', reason: 'kernel upgrade' }), silence({ id: 'y', active: false, reason: 'old window' }),
    ]);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=silence-row]').map((r) => r.textContent?.replace(/\s+/g, ' '));
    expect(rows[0]).toContain('Active');
    expect(rows[0]).toContain('web-1, CPU');
    expect(rows[1]).toContain('Ended');
    expect(rows[1]).toContain('All my servers, every metric');
    expect(qa(fixture, '[data-testid=silence-expire]')).toHaveLength(1);
  });

  it('lets a team viewer see the team\'s silences but not end one (saying why), nor pick the server for a new one', async () => {
    const viewer = { via: 'viewer' as const, teamId: 't1', capabilities: [...ROLE_CAPABILITIES.viewer], breakGlass: false };
    fixture.componentRef.setInput('servers', [server({ id: 's1', name: 'web-1', access: viewer }), server({ id: 's2', name: 'own-1' })]);
    http.expectOne('/api/v1/alerts/silences').flush([silence({ id: 'x', serverId: 's1', reason: 'disk swap', createdBy: 'bob' }), silence({ id: 'y', serverId: null, reason: 'mine' })]);
    await fixture.whenStable();
    const [team, mine] = qa(fixture, '[data-testid=silence-expire]');
    expect(team.getAttribute('aria-disabled')).toBe('true');
    expect(fixture.debugElement.query((d) => d.nativeElement === team).injector.get(MatTooltip).message)
      .toBe('Your role (viewer) on this server does not allow this (alerts.manage)');
    team.click();
    await fixture.whenStable();
    expect(document.querySelector('mat-dialog-container')).toBeNull();
    expect(mine.getAttribute('aria-disabled')).not.toBe('true');
    q(fixture, '[data-testid=silence-server] .mat-mdc-select-trigger').click();
    await fixture.whenStable();
    const options = Array.from(document.querySelectorAll('mat-option')).map((o) => o.textContent?.trim());
    expect(options).toEqual(['All my servers (personal ones)', 'own-1']);
  });

  it('asks for a reason and a future end before sending, then creates the silence for all servers', async () => {
    http.expectOne('/api/v1/alerts/silences').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No silence');
    type(q(fixture, '[data-testid=silence-ends]'), toLocalInput(Date.now() - 60_000));
    q<HTMLButtonElement>(fixture, '[data-testid=silence-create]').click();
    await fixture.whenStable();
    http.expectNone('/api/v1/alerts/silences');
    expect(q(fixture, '[data-testid=error-reason]').textContent).toContain('Say why');
    expect(q(fixture, '[data-testid=error-endsAt]').textContent).toContain('in the future');

    type(q(fixture, '[data-testid=silence-reason]'), ' db migration ');
    const end = Date.now() + 2 * 3_600_000;
    type(q(fixture, '[data-testid=silence-ends]'), toLocalInput(end));
    q<HTMLButtonElement>(fixture, '[data-testid=silence-create]').click();
    await fixture.whenStable();
    const req = http.expectOne('/api/v1/alerts/silences');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toMatchObject({ serverId: null, metricType: null, reason: 'db migration' });
    expect(Math.abs(Date.parse(req.request.body.endsAt) - end)).toBeLessThan(60_000);
    req.flush(silence({ id: 'n', reason: 'db migration' }), { status: 201, statusText: 'Created' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=silence-row]')).toHaveLength(1);
  });

  it('shows the backend\'s refusal beside the field it names', async () => {
    http.expectOne('/api/v1/alerts/silences').flush([]);
    await fixture.whenStable();
    type(q(fixture, '[data-testid=silence-reason]'), 'x');
    q<HTMLButtonElement>(fixture, '[data-testid=silence-create]').click();
    http.expectOne('/api/v1/alerts/silences').flush({
      statusCode: 400, message: 'Invalid silence', code: 'alert.invalid_silence', details: [{ field: 'endsAt', errors: ['must be in the future and at most one year ahead'] }],
    }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=error-endsAt]').textContent).toContain('must be in the future and at most one year ahead');
  });
});
