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

  beforeEach(() => {
    toasts = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]), { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: NotifyService, useValue: { attention: (message: string, action: string, onAction: () => void) => toasts.push({ message, action, onAction }) } },
      ],
    });
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    svc = TestBed.inject(OpenAlertsService);
  });

  it('sums the open alerts of every server from the fleet stream, and stops with its subscription', () => {
    const sub = svc.start();
    expect(live.fleetSubscriptions).toBe(1);
    live.emit('fleet_summary', summary('s1', 2));
    live.emit('fleet_summary', summary('s2', 1));
    expect(svc.total()).toBe(3);
    live.emit('fleet_summary', summary('s1', 0));
    expect(svc.total()).toBe(1);
    sub.unsubscribe();
    expect(live.fleetSubscriptions).toBe(0);
  });

  it('raises a toast naming the severity in words when an alert fires (not on acknowledge/resolve); View opens it', () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    svc.start();
    live.emit('alert', { alert: alert({ id: 'a1', severity: 'critical', message: 'web-1: CPU 99% > 90%' }), change: 'fired' });
    live.emit('alert', { alert: alert({ id: 'a1', status: 'acknowledged' }), change: 'acknowledged' });
    expect(toasts.map((t) => [t.message, t.action])).toEqual([['Critical: web-1: CPU 99% > 90%', 'View']]);
    toasts[0].onAction();
    expect(navigate).toHaveBeenCalledWith(['/alerts', 'a1']);
  });
});
