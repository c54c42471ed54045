import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatTooltip } from '@angular/material/tooltip';
import { provideRouter } from '@angular/router';
import { ROLE_CAPABILITIES, type Server } from '@chatops/protocol';
import { alert, silence } from '../../../testing/alert-fixtures';
import { server } from '../../../testing/auth-fixtures';
import { button, q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { AlertListComponent } from './alert-list.component';

describe('AlertListComponent', () => {
  let fixture: ComponentFixture<AlertListComponent>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  async function create(serverId = '', servers: Server[] = [server({ id: 's1', name: 'web-1' }), server({ id: 's2', name: 'db-1' })]) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(AlertListComponent);
    fixture.componentRef.setInput('serverId', serverId);
    fixture.componentRef.setInput('servers', servers);
    await fixture.whenStable();
  }
  afterEach(() => http.verify());

  const listReq = () => http.expectOne((r) => r.url === '/api/v1/alerts');
  const silencesReq = () => http.expectOne('/api/v1/alerts/silences');
  const rows = () => qa(fixture, '[data-testid=alert-row]');
  const tooltipOf = (el: HTMLElement) => fixture.debugElement.query((d) => d.nativeElement === el).injector.get(MatTooltip).message;

  it('lists open alerts with severity as icon and text, then adds a fired alert live, without reloading', async () => {
    await create();
    silencesReq().flush([]);
    const first = listReq();
    expect(first.request.params.get('status')).toBe('open');
    expect(first.request.params.has('serverId')).toBe(false);
    first.flush({ items: [alert({ id: 'a1', severity: 'critical' })], nextCursor: null });
    await fixture.whenStable();
    expect(rows()).toHaveLength(1);
    expect(q(fixture, '[data-testid=severity]').textContent).toContain('Critical');
    expect(q(fixture, '[data-testid=severity] svg')).toBeTruthy();
    expect(text(fixture)).toContain('web-1');
    expect(live.fleetSubscriptions).toBe(1); // the fleet stream carries every server's alert events

    live.emit('alert', { alert: alert({ id: 'a2', serverId: 's2', message: 'db-1: memory' }), change: 'fired' });
    await fixture.whenStable();
    expect(rows().map((r) => r.getAttribute('data-alert-id'))).toEqual(['a2', 'a1']);
    live.emit('alert', { alert: alert({ id: 'a1', status: 'resolved', resolvedAt: '2026-01-01T10:05:00.000Z' }), change: 'resolved' });
    await fixture.whenStable();
    expect(rows().map((r) => r.getAttribute('data-alert-id'))).toEqual(['a2']); // resolved leaves the open list
  });

  it('disables acknowledge and resolve, with the reason, on a server where the role is viewer; not on the others', async () => {
    const viewer = { via: 'viewer' as const, teamId: 't1', capabilities: [...ROLE_CAPABILITIES.viewer], breakGlass: false };
    await create('', [server({ id: 's1', name: 'web-1', access: viewer }), server({ id: 's2', name: 'db-1' })]);
    silencesReq().flush([]);
    listReq().flush({ items: [alert({ id: 'a1', serverId: 's1' }), alert({ id: 'a2', serverId: 's2' })], nextCursor: null });
    await fixture.whenStable();
    const [team, own] = rows();
    for (const id of ['alert-ack', 'alert-resolve']) {
      const b = team.querySelector(`[data-testid=${id}]`) as HTMLButtonElement;
      expect(b.getAttribute('aria-disabled')).toBe('true');
      expect(tooltipOf(b)).toBe('Your role (viewer) on this server does not allow this (alerts.manage)');
      expect(tooltipOf(own.querySelector(`[data-testid=${id}]`) as HTMLElement)).toBe('');
      b.click();
      expect((own.querySelector(`[data-testid=${id}]`) as HTMLButtonElement).getAttribute('aria-disabled')).not.toBe('true');
    }
    await fixture.whenStable();
    http.expectNone((r) => r.method === 'POST'); // nothing sent for the viewer's clicks
  });

  it('filters by status and severity, and pages with the cursor', async () => {
    await create();
    silencesReq().flush([]);
    listReq().flush({ items: [alert({ id: 'a1' })], nextCursor: 'a1' });
    await fixture.whenStable();
    button(fixture, 'Resolved').click();
    await fixture.whenStable();
    const resolved = listReq();
    expect(resolved.request.params.get('status')).toBe('resolved');
    resolved.flush({ items: [alert({ id: 'r1', status: 'resolved' })], nextCursor: 'r1' });
    await fixture.whenStable();
    q(fixture, '[data-testid=alert-severity-filter] .mat-mdc-select-trigger').click();
    await fixture.whenStable();
    Array.from(document.querySelectorAll<HTMLElement>('mat-option')).find((o) => o.textContent?.trim() === 'Critical')!.click();
    await fixture.whenStable();
    const critical = listReq();
    expect(critical.request.params.get('severity')).toBe('critical');
    expect(critical.request.params.get('status')).toBe('resolved');
    critical.flush({ items: [alert({ id: 'r2', status: 'resolved', severity: 'critical' })], nextCursor: 'r2' });
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=alerts-more]').click();
    const more = listReq();
    expect(more.request.params.get('before')).toBe('r2');
    more.flush({ items: [alert({ id: 'r3', status: 'resolved', severity: 'critical' })], nextCursor: null });
    await fixture.whenStable();
    expect(rows().map((r) => r.getAttribute('data-alert-id'))).toEqual(['r2', 'r3']);
    expect(qa(fixture, '[data-testid=alerts-more]')).toHaveLength(0);
  });

  it('on a server page: only that server, a banner for the silence covering it, an empty state', async () => {
    await create('s1');
    silencesReq().flush([silence({ id: 'x', serverId: 's1', reason: 'kernel upgrade' }), silence({ id: 'y', serverId: 's2', reason: 'other box' })]);
    const req = listReq();
    expect(req.request.params.get('serverId')).toBe('s1');
    req.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=silence-banner]').map((b) => b.textContent)).toEqual([expect.stringContaining('kernel upgrade')]);
    expect(q(fixture, '[data-testid=silence-banner]').textContent).toContain('for this server');
    expect(text(fixture)).toContain('No alert here');
    expect(qa(fixture, '[data-testid=alert-server-filter]')).toHaveLength(0);
    expect(live.fleetSubscriptions).toBe(0); // the server page's own subscription brings its alerts
    live.emit('alert', { alert: alert({ id: 'other', serverId: 's2' }), change: 'fired' });
    live.emit('alert', { alert: alert({ id: 'mine', serverId: 's1' }), change: 'fired' });
    await fixture.whenStable();
    expect(rows().map((r) => r.getAttribute('data-alert-id'))).toEqual(['mine']);
  });

  it('says why the list could not load, and tries again', async () => {
    await create();
    silencesReq().flush([]);
    listReq().flush({ statusCode: 503, message: 'Database unavailable', requestId: 'req-1' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Database unavailable (request req-1)');
    button(fixture, 'Try again').click();
    listReq().flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(text(fixture)).toContain('No alert here');
  });

  it('acknowledges with a note from the dialog, then the row shows it; resolve follows', async () => {
    await create();
    silencesReq().flush([]);
    listReq().flush({ items: [alert({ id: 'a1' })], nextCursor: null });
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=alert-ack]').click();
    await fixture.whenStable();
    const note = document.querySelector<HTMLTextAreaElement>('[data-testid=note-input]')!;
    note.value = 'on it';
    note.dispatchEvent(new Event('input'));
    document.querySelector<HTMLButtonElement>('[data-testid=note-confirm]')!.click();
    await fixture.whenStable();
    const ack = http.expectOne('/api/v1/alerts/a1/acknowledge');
    expect(ack.request.body).toEqual({ note: 'on it' });
    ack.flush({ ...alert({ id: 'a1', status: 'acknowledged', acknowledgedBy: 'ada', acknowledgeNote: 'on it' }), snapshot: null });
    await fixture.whenStable();
    expect(rows()[0].getAttribute('data-status')).toBe('acknowledged');
    expect(rows()[0].textContent).toContain('acknowledged by ada');
    expect(qa(fixture, '[data-testid=alert-ack]')).toHaveLength(0);

    q<HTMLButtonElement>(fixture, '[data-testid=alert-resolve]').click();
    await fixture.whenStable();
    document.querySelector<HTMLButtonElement>('[data-testid=note-confirm]')!.click();
    await fixture.whenStable();
    const resolve = http.expectOne('/api/v1/alerts/a1/resolve');
    expect(resolve.request.body).toEqual({}); // no note: nothing sent
    resolve.flush({ ...alert({ id: 'a1', status: 'resolved', resolvedBy: 'ada' }), snapshot: null });
    await fixture.whenStable();
    expect(rows()).toHaveLength(0); // the open list no longer shows it
  });
});
