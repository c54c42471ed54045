import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { FleetSummary, Server } from '@chatops/protocol';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { VIEW_KEY } from './fleet-view';
import { OverviewPage } from './overview.page';

/** 60 servers (more than the table's default threshold): srv-00 … srv-59, every third tagged "prod". */
const FLEET: Server[] = Array.from({ length: 60 }, (_, i) =>
  server({ id: `id-${i}`, name: `srv-${String(i).padStart(2, '0')}`, status: 'online', lastSeen: new Date().toISOString(), tags: i % 3 === 0 ? ['prod'] : [] }),
);
const summary = (serverId: string, cpuPercent: number, extra: Partial<FleetSummary> = {}): FleetSummary => ({
  serverId, status: 'online', lastSeen: new Date().toISOString(), cpuPercent, memoryPercent: 10, diskPercent: 10, load1: 0.5, openAlerts: 0, timestamp: new Date().toISOString(), ...extra,
});

// The first test compiles the page with Material and the CDK: seconds on a busy 2-core runner.
jest.setTimeout(20_000);

describe('Fleet table (overview of a large fleet)', () => {
  let fixture: ComponentFixture<OverviewPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(async () => {
    localStorage.removeItem(VIEW_KEY);
    // jsdom has no layout: give the virtual scroll viewport a real height (about 10 rows).
    jest.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({ width: 1200, height: 440, top: 0, left: 0, right: 1200, bottom: 440, x: 0, y: 0, toJSON: () => ({}) } as DOMRect);
    TestBed.configureTestingModule({
      imports: [OverviewPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService }],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(OverviewPage);
    await fixture.whenStable();
    http.expectOne('/api/v1/servers').flush(FLEET);
    await settle();
  });
  afterEach(() => {
    http.verify();
    jest.restoreAllMocks();
  });

  /** Lets the virtual scroll measure and render (it renders in a microtask after a change). */
  async function settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await fixture.whenStable();
      await new Promise((r) => setTimeout(r, 0));
      fixture.detectChanges();
    }
  }
  const rowNames = () => qa(fixture, '[data-testid=row-name]').map((a) => a.textContent?.trim());
  const rows = () => qa(fixture, '[data-testid=fleet-table] tbody tr');
  const checkbox = (name: string) => q<HTMLInputElement>(fixture, `input[aria-label="Select ${name}"]`);
  const click = async (el: HTMLElement, init: MouseEventInit = {}) => {
    el.dispatchEvent(new MouseEvent('click', { bubbles: true, ...init }));
    await settle();
  };

  it('opens as a real table for a large fleet, rendering only the rows in view', () => {
    expect(q(fixture, 'table[aria-label=Servers]')).toBeTruthy();
    expect(qa(fixture, 'thead th[scope=col]').map((th) => th.textContent?.replace(/[▲▼]/g, '').trim())).toEqual(
      ['', 'Name', 'Status', 'Tags', 'CPU', 'Memory', 'Disk', 'Load', 'Containers', 'Last seen'],
    );
    expect(rowNames()[0]).toBe('srv-00');
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(60); // virtualised
    expect(q(fixture, 'table').getAttribute('aria-rowcount')).toBe('61');
    expect(q(fixture, 'th[aria-sort]').textContent).toContain('Name');
    expect(q(fixture, 'th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
  });

  it('remembers the view the user picks', async () => {
    q(fixture, '[data-testid=view-cards] button').click();
    await settle();
    expect(localStorage.getItem(VIEW_KEY)).toBe('cards');
    expect(qa(fixture, '[data-testid=server-card]').length).toBe(48); // one page of cards
    expect(text(fixture)).toContain('Page 1 of 2');
  });

  it('updates values in place and marks warning/critical with text, without moving rows until a re-sort', async () => {
    q(fixture, '[data-testid=sort-cpu]').click();
    await settle();
    expect(q(fixture, 'th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
    live.emit('fleet_summary', summary('id-5', 97));
    live.emit('fleet_summary', summary('id-0', 85));
    await settle();
    // srv-05 is now the busiest but the order is the snapshot's: rows do not jump on a sample.
    expect(rowNames().slice(0, 2)).toEqual(['srv-00', 'srv-01']);
    const first = rows()[0];
    expect(first.querySelector('[data-testid=row-cpu]')?.textContent).toContain('85%');
    expect(first.querySelector('[data-testid=row-cpu]')?.textContent).toContain('warning');
    expect(text(fixture)).toContain('Order refreshed every 10 s');
    q(fixture, '[data-testid=resort]').click();
    await settle();
    expect(rowNames().slice(0, 2)).toEqual(['srv-05', 'srv-00']);
    expect(rows()[0].querySelector('[data-testid=row-cpu]')?.textContent).toContain('critical');
  });

  it('pauses the timed re-sort while the user is in the list', async () => {
    jest.useFakeTimers({ doNotFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      fixture.destroy();
      fixture = TestBed.createComponent(OverviewPage);
      fixture.detectChanges();
      http.expectOne('/api/v1/servers').flush(FLEET);
      fixture.detectChanges();
      q(fixture, '[data-testid=sort-cpu]').click();
      fixture.detectChanges();
      live.emit('fleet_summary', summary('id-7', 99));
      await jest.advanceTimersByTimeAsync(50);
      fixture.detectChanges();
      q(fixture, 'app-fleet-table').dispatchEvent(new Event('pointerenter'));
      fixture.detectChanges();
      expect(text(fixture)).toContain('Order paused');
      await jest.advanceTimersByTimeAsync(10_000);
      fixture.detectChanges();
      expect(rowNames()[0]).toBe('srv-00');
      q(fixture, 'app-fleet-table').dispatchEvent(new Event('pointerleave'));
      await jest.advanceTimersByTimeAsync(10_000);
      fixture.detectChanges();
      expect(rowNames()[0]).toBe('srv-07');
    } finally {
      jest.useRealTimers();
    }
  });

  it('filters by tag, searches, and groups by tag', async () => {
    const page = fixture.componentInstance as unknown as { tagFilter: { set(v: string | null): void }; groupByTag: { set(v: boolean): void }; query: { set(v: string): void } };
    page.tagFilter.set('prod');
    await settle();
    expect(text(fixture)).toContain('20 of 60 servers shown');
    expect(rowNames().slice(0, 3)).toEqual(['srv-00', 'srv-03', 'srv-06']);
    page.query.set('srv-1');
    await settle();
    expect(rowNames()).toEqual(['srv-12', 'srv-15', 'srv-18']);
    page.tagFilter.set(null);
    page.query.set('');
    page.groupByTag.set(true);
    await settle();
    expect(qa(fixture, '[data-testid=group-row]')[0].textContent).toContain('#prod · 20 servers');
  });

  it('selects with checkboxes, shift-click ranges and select-all of the filtered servers', async () => {
    await click(checkbox('srv-01'));
    expect(q(fixture, '[data-testid=bulk-bar]').textContent).toContain('1 selected');
    await click(checkbox('srv-04'), { shiftKey: true });
    expect(q(fixture, '[data-testid=bulk-bar]').textContent).toContain('4 selected');
    expect(checkbox('srv-03').checked).toBe(true);
    expect(q<HTMLInputElement>(fixture, '[data-testid=select-all]').indeterminate).toBe(true);

    (fixture.componentInstance as unknown as { tagFilter: { set(v: string | null): void } }).tagFilter.set('prod');
    await settle();
    await click(q(fixture, '[data-testid=select-all]'));
    // 20 prod servers, plus srv-01, srv-02 and srv-04 selected before (srv-03 is prod too).
    expect(q(fixture, '[data-testid=bulk-bar]').textContent).toContain('23 selected');
    q(fixture, '[data-testid=bulk-clear]').click();
    await settle();
    expect(qa(fixture, '[data-testid=bulk-bar]')).toHaveLength(0);
  });

  it('adds a tag to the selected servers through the API, one PUT each, and reports once', async () => {
    await click(checkbox('srv-00'));
    await click(checkbox('srv-01'));
    const input = q<HTMLInputElement>(fixture, '[data-testid=bulk-tag-input]');
    input.value = ' Web ';
    input.dispatchEvent(new Event('input'));
    await settle();
    q(fixture, '[data-testid=bulk-add-tag]').click();
    const puts = http.match((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.request.url, r.request.body])).toEqual([
      ['/api/v1/servers/id-0', { tags: ['prod', 'web'] }],
      ['/api/v1/servers/id-1', { tags: ['web'] }],
    ]);
    puts.forEach((r) => r.flush({ ...FLEET.find((s) => r.request.url.endsWith(`/${s.id}`))!, tags: r.request.body.tags }));
    await settle();
    expect(rows()[1].querySelector('[data-testid=row-tags]')?.textContent).toContain('web');
  });

  it('moves between rows with the arrow keys', async () => {
    const link = () => qa<HTMLAnchorElement>(fixture, '[data-testid=row-name]');
    link()[0].focus();
    link()[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement?.textContent?.trim()).toBe('srv-01');
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    expect(document.activeElement?.textContent?.trim()).toBe('srv-00');
  });

  it('lets go of the fleet stream and the queued frame when the user leaves', async () => {
    expect(live.fleetSubscriptions).toBe(1);
    const cancel = jest.spyOn(window, 'cancelAnimationFrame');
    live.emit('fleet_summary', summary('id-1', 50)); // queues a frame
    fixture.destroy();
    expect(live.fleetSubscriptions).toBe(0);
    expect(cancel).toHaveBeenCalled();
  });
});
