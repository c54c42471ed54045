import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { FleetSummary } from '@chatops/protocol';
import { alert } from '../../../testing/alert-fixtures';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../live/live-socket.service';
import { NotifyService } from '../notify/notify.service';
import { OpenAlertsService } from './open-alerts.service';

const summary = (serverId: string, openAlerts: number): FleetSummary => ({
  serverId, status: 'online', lastSeen: null, cpuPercent: 1, memoryPercent: 1, diskPercent: 1, openAlerts, timestamp: null,
  containersRunning: null, containersTotal: null, containersUnhealthy: null,
} as FleetSummary);

describe('OpenAlertsService', () => {
  let live: FakeLiveSocketService;
  let toasts: { message: string; action: string; onAction: () => void }[];
  let svc: OpenAlertsService;
  let http: HttpTestingController;

  beforeEach(() => {
    toasts = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: NotifyService, useValue: { attention: (message: string, action: string, onAction: () => void) => toasts.push({ message, action, onAction }) } },
      ],
    });
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    svc = TestBed.inject(OpenAlertsService);
    http = TestBed.inject(HttpTestingController);
  });
  const openReq = () => http.expectOne((r) => r.url === '/api/v1/alerts' && r.params.get('status') === 'open');

  it('sums the open alerts of every server from the fleet stream, and stops with its subscription', () => {
    const sub = svc.start();
    openReq().flush({ items: [], nextCursor: null });
    expect(live.fleetSubscriptions).toBe(1);
    live.emit('fleet_summary', summary('s1', 2));
    live.emit('fleet_summary', summary('s2', 1));
    expect(svc.total()).toBe(3);
    live.emit('fleet_summary', summary('s1', 0));
    expect(svc.total()).toBe(1);
    sub.unsubscribe();
    expect(live.fleetSubscriptions).toBe(0);
    // signed out and in again (maybe as someone else): the counts start from nothing
    svc.start();
    openReq().flush({ items: [], nextCursor: null });
    expect(svc.total()).toBe(0);
  });

  it('raises a toast naming the severity in words when an alert fires (not on acknowledge/resolve); View opens it', () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    svc.start();
    openReq().flush({ items: [], nextCursor: null });
    live.emit('alert', { alert: alert({ id: 'a1', severity: 'critical', message: 'web-1: CPU 99% > 90%' }), change: 'fired' });
    live.emit('alert', { alert: alert({ id: 'a1', status: 'acknowledged' }), change: 'acknowledged' });
    expect(toasts.map((t) => [t.message, t.action])).toEqual([['Critical: web-1: CPU 99% > 90%', 'View']]);
    toasts[0].onAction();
    expect(navigate).toHaveBeenCalledWith(['/alerts', 'a1']);
  });

  it('counts open alerts per server and severity: read page by page, then kept current by the live events', () => {
    svc.start();
    const first = openReq();
    expect(first.request.params.get('limit')).toBe('200');
    first.flush({ items: [alert({ id: 'a1', severity: 'critical' }), alert({ id: 'a2', severity: 'warning', status: 'acknowledged' })], nextCursor: 'a2' });
    const second = openReq();
    expect(second.request.params.get('before')).toBe('a2');
    second.flush({ items: [alert({ id: 'a3', serverId: 's2', severity: 'info' })], nextCursor: null });
    expect(svc.bySeverity().get('s1')).toEqual({ info: 0, warning: 1, critical: 1 });
    expect(svc.bySeverity().get('s2')).toEqual({ info: 1, warning: 0, critical: 0 });
    live.emit('alert', { alert: alert({ id: 'a1', severity: 'critical', status: 'resolved' }), change: 'resolved' });
    live.emit('alert', { alert: alert({ id: 'a4', severity: 'warning' }), change: 'fired' });
    expect(svc.bySeverity().get('s1')).toEqual({ info: 0, warning: 2, critical: 0 });

    // after a dropped connection (events missed), the next summary reads the list again
    live.drop();
    live.emit('fleet_summary', summary('s1', 1));
    openReq().flush({ items: [alert({ id: 'a4', severity: 'warning' })], nextCursor: null });
    expect(svc.bySeverity().get('s1')).toEqual({ info: 0, warning: 1, critical: 0 });
    expect(svc.bySeverity().has('s2')).toBe(false);
    http.verify();
  });
});
