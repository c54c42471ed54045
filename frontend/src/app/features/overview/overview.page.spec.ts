import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text, type } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { errorInterceptor } from '../../core/notify/error.interceptor';
import { NotifyService } from '../../core/notify/notify.service';
import { OverviewPage } from './overview.page';

const SERVERS = [
  server({ id: 'a', name: 'web-1', host: '10.0.0.1', status: 'online', lastSeen: new Date().toISOString() }),
  server({ id: 'b', name: 'db-1', host: 'db.internal', status: 'offline', lastSeen: '2026-01-01T00:00:00Z' }),
  server({ id: 'c', name: 'cache', status: 'unknown' }),
];

describe('OverviewPage', () => {
  let fixture: ComponentFixture<OverviewPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  const notify = { error: jest.fn(), success: jest.fn(), attention: jest.fn() };

  beforeEach(async () => {
    notify.error.mockReset();
    TestBed.configureTestingModule({
      imports: [OverviewPage],
      providers: [
        provideRouter([]),
        // The app's real error interceptor: a request that is not quiet would raise a toast too.
        provideHttpClient(withInterceptors([errorInterceptor])),
        provideHttpClientTesting(),
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: NotifyService, useValue: notify },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(OverviewPage);
    await fixture.whenStable();
  });
  afterEach(() => {
    // Sparkline seeds the tests below do not look at.
    http.match((r) => r.url.endsWith('/history')).forEach((r) => r.flush({ serverId: '', start: '', end: '', resolution: '5s', source: 'raw', points: [] }));
    http.verify();
  });

  const names = () => qa(fixture, '[data-testid=server-card] h2').map((h) => h.textContent?.trim());

  it('shows loading skeletons, then one card per server with status as text', async () => {
    expect(q(fixture, '[aria-label=Loading]')).toBeTruthy();
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    expect(names()).toEqual(['cache', 'db-1', 'web-1']);
    expect(text(fixture)).toContain('3 servers · 1 online');
    const chips = qa(fixture, '[data-testid=status-chip]').map((c) => c.textContent?.trim());
    expect(chips).toEqual(['Unknown', 'Offline', 'Online']);
    expect(text(fixture)).toContain('last seen never');
    expect(live.fleetSubscriptions).toBe(1);
  });

  it('searches by name or host and filters by status', async () => {
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    type(q(fixture, '[data-testid=search]'), 'internal');
    await fixture.whenStable();
    expect(names()).toEqual(['db-1']);

    type(q(fixture, '[data-testid=search]'), '');
    (fixture.componentInstance as unknown as { statusFilter: { set(v: string): void } }).statusFilter.set('online');
    await fixture.whenStable();
    expect(names()).toEqual(['web-1']);

    type(q(fixture, '[data-testid=search]'), 'nothing-like-this');
    await fixture.whenStable();
    expect(text(fixture)).toContain('No server matches');
  });

  it('sorts problems first when sorting by status', async () => {
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    (fixture.componentInstance as unknown as { sort: { set(v: string): void } }).sort.set('status');
    await fixture.whenStable();
    expect(names()).toEqual(['db-1', 'cache', 'web-1']);
  });

  it('applies fleet_summary and server_status events to the cards', async () => {
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    live.emit('fleet_summary', {
      serverId: 'c', status: 'online', lastSeen: new Date().toISOString(),
      cpuPercent: 42.4, memoryPercent: 71, diskPercent: 5.25, openAlerts: 2, timestamp: new Date().toISOString(),
    });
    live.emit('fleet_summary', {
      serverId: 'c', status: 'online', lastSeen: new Date().toISOString(),
      cpuPercent: 50, memoryPercent: 72, diskPercent: 5.25, openAlerts: 2, timestamp: new Date().toISOString(),
    });
    live.emit('server_status', { serverId: 'b', status: 'online', lastSeen: new Date().toISOString() });
    await fixture.whenStable();

    const cache = qa(fixture, '[data-testid=server-card]').find((c) => c.textContent?.includes('cache'))!;
    expect(cache.querySelector('[data-testid=cpu]')?.textContent).toBe('50%');
    expect(cache.querySelector('[data-testid=mem]')?.textContent).toBe('72%');
    expect(cache.querySelector('[data-testid=disk]')?.textContent).toBe('5.3%');
    expect(cache.querySelector('[data-testid=status-chip]')?.textContent?.trim()).toBe('Online');
    expect(cache.textContent).toContain('2 open alerts');
    expect(cache.querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    expect(text(fixture)).toContain('3 servers · 3 online');
  });

  it('seeds the sparklines of recently seen servers from history, then appends live values', async () => {
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    // Only web-1 reported within the sparkline's window (db-1 last in January, cache never).
    const seed = http.expectOne((r) => r.url.endsWith('/history'));
    expect(seed.request.url).toBe('/api/v1/metrics/a/history');
    expect(seed.request.params.get('points')).toBe('30');
    const t = Date.now() - 60_000;
    seed.flush({ serverId: 'a', start: '', end: '', resolution: '5s', source: 'raw', points: [10, null, 30].map((cpu, i) => ({
      timestamp: new Date(t + i * 5000).toISOString(), cpuPercent: cpu, memoryPercent: 1, diskPercent: 1, swapPercent: null, load1: 0, netRxBps: 0, netTxBps: 0,
      cpuPercentMax: cpu, memoryPercentMax: 1, load1Max: 0, netRxBpsMax: 0, netTxBpsMax: 0,
    })) });
    await fixture.whenStable();
    const web = () => qa(fixture, '[data-testid=server-card]').find((c) => c.textContent?.includes('web-1'))!;
    expect(web().querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    live.emit('fleet_summary', {
      serverId: 'a', status: 'online', lastSeen: new Date().toISOString(),
      cpuPercent: 40, memoryPercent: 1, diskPercent: 1, openAlerts: 0, timestamp: new Date().toISOString(),
    });
    await fixture.whenStable();
    expect(web().querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(3);
    expect(web().querySelector('app-sparkline svg')?.getAttribute('aria-label')).toBe('CPU trend: latest 40%');
  });

  it('shows running/total containers on a card and flags stopped and unhealthy ones', async () => {
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    const summary = (serverId: string, running: number | null, total: number | null, unhealthy: number | null) => ({
      serverId, status: 'online' as const, lastSeen: new Date().toISOString(), cpuPercent: 1, memoryPercent: 1, diskPercent: 1, openAlerts: 0,
      timestamp: new Date().toISOString(), containersRunning: running, containersTotal: total, containersUnhealthy: unhealthy,
    });
    live.emit('fleet_summary', summary('a', 3, 3, 0));
    live.emit('fleet_summary', summary('b', 2, 4, 1));
    live.emit('fleet_summary', summary('c', null, null, null));
    await fixture.whenStable();
    const card = (name: string) => qa(fixture, '[data-testid=server-card]').find((c) => c.querySelector('h2')?.textContent?.trim() === name)!;
    expect(card('web-1').querySelector('[data-testid=containers-count]')?.textContent).toBe('3/3');
    expect(card('web-1').querySelector('[data-testid=containers-stopped]')).toBeNull();
    expect(card('web-1').querySelector('[data-testid=containers-unhealthy]')).toBeNull();
    expect(card('db-1').querySelector('[data-testid=containers-count]')?.textContent).toBe('2/4');
    expect(card('db-1').querySelector('[data-testid=containers-stopped]')?.textContent?.trim()).toBe('2 not running');
    expect(card('db-1').querySelector('[data-testid=containers-unhealthy]')?.textContent?.trim()).toBe('1 unhealthy');
    expect(card('db-1').querySelector('[data-testid=containers] a')?.getAttribute('href')).toBe('/servers/b/containers');
    expect(card('cache').querySelector('[data-testid=containers]')).toBeNull(); // no Docker: nothing to count

    // a summary without the fields (an older backend) keeps the counts
    live.emit('fleet_summary', { ...summary('b', 0, 0, 0), containersRunning: undefined, containersTotal: undefined, containersUnhealthy: undefined });
    await fixture.whenStable();
    expect(card('db-1').querySelector('[data-testid=containers-count]')?.textContent).toBe('2/4');
  });

  it('shows an empty state with an "Add server" button when there are no servers', async () => {
    http.expectOne('/api/v1/servers').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No servers yet');
    expect(q(fixture, '[data-testid=empty-add]').getAttribute('href')).toBe('/servers/new');
  });

  it('shows a failed load once, inline with a retry (no toast as well), and the retry loads the servers', async () => {
    http.expectOne('/api/v1/servers').flush(
      { statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable', requestId: 'r-1' },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await fixture.whenStable();
    expect(notify.error).not.toHaveBeenCalled();
    const messages = (fixture.nativeElement as HTMLElement).textContent!.match(/Database unavailable/g) ?? [];
    expect(messages).toHaveLength(1);
    expect(text(fixture)).toContain('Could not load your servers');

    const retry = qa(fixture, 'button').find((b) => b.textContent?.trim() === 'Try again')!;
    retry.click();
    await fixture.whenStable();
    http.expectOne('/api/v1/servers').flush(SERVERS);
    await fixture.whenStable();
    expect(names()).toEqual(['cache', 'db-1', 'web-1']);
    expect(text(fixture)).not.toContain('Could not load your servers');
    expect(notify.error).not.toHaveBeenCalled();
  });
});
