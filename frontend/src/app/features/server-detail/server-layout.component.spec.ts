import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, InjectionToken, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Route, provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { serverWithAgent } from '../../../testing/server-context';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ServerContext } from './server-context';
import { SERVER_DETAIL_ROUTES } from './server-detail.routes';
import { ServerLayoutComponent } from './server-layout.component';
import { SERVER_TABS } from './server-tabs';

const TAB_NAME = new InjectionToken<string>('TAB_NAME');

/** Stands in for a tab: shows which tab it is and the server it got from the layout's context. */
@Component({ template: `<p data-testid="tab-body">{{ tab }} of {{ ctx.server()?.name }}</p>` })
class StubTab {
  protected readonly ctx = inject(ServerContext);
  readonly tab = inject(TAB_NAME);
}

/** The real layout with one stub component per tab of SERVER_TABS (the real tabs have their own specs). */
function stubRoutes(): Route[] {
  return [{
    path: 'servers/:id',
    component: ServerLayoutComponent,
    children: SERVER_TABS.map((t) => ({
      path: t.path,
      pathMatch: t.path === '' ? ('full' as const) : ('prefix' as const),
      title: t.title,
      component: StubTab,
      providers: [{ provide: TAB_NAME, useValue: t.label }],
    })),
  }];
}

describe('ServerLayoutComponent (server page tabs)', () => {
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(stubRoutes(), withComponentInputBinding()), provideHttpClient(), provideHttpClientTesting(),
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    harness = await RouterTestingHarness.create();
  });
  afterEach(() => http.verify());

  const root = () => harness.routeNativeElement as HTMLElement;
  const tabLinks = () => Array.from(root().querySelectorAll<HTMLAnchorElement>('nav a[mat-tab-link]'));

  async function openAt(url: string): Promise<void> {
    const nav = harness.navigateByUrl(url);
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne('/api/v1/servers/s1').flush(serverWithAgent({ exec: true }, { host: 'web-1.example' }));
    await nav;
    await settle();
  }
  /** RouterLinkActive decides in a microtask, then marks the view for check. */
  async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    await harness.fixture.whenStable();
    harness.detectChanges();
  }

  it('shows the server once and one tab link per configured tab, with shareable URLs', async () => {
    await openAt('/servers/s1');
    expect(root().querySelector('h1')?.textContent).toBe('web-1');
    expect(root().textContent).toContain('web-1.example');
    expect(tabLinks().map((a) => [a.textContent?.trim(), a.getAttribute('href')])).toEqual([
      ['Overview', '/servers/s1'], ['Commands', '/servers/s1/commands'], ['Terminal', '/servers/s1/terminal'], ['Containers', '/servers/s1/containers'], ['Alerts', '/servers/s1/alerts'], ['Sessions', '/servers/s1/sessions'],
    ]);
    expect(root().querySelector('[data-testid=tab-body]')?.textContent).toBe('Overview of web-1');
    expect(tabLinks().map((a) => a.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false', 'false', 'false', 'false']); // role=tab, with the panel
    expect(live.subscribedServers).toEqual(['s1']);
  });

  it('opens a tab from its URL and marks it as the current one; moving between tabs keeps the server loaded', async () => {
    await openAt('/servers/s1/terminal');
    expect(root().querySelector('[data-testid=tab-body]')?.textContent).toBe('Terminal of web-1');
    expect(tabLinks().map((a) => a.getAttribute('aria-selected'))).toEqual(['false', 'false', 'true', 'false', 'false', 'false']);

    tabLinks()[1].click();
    await settle();
    await settle();
    expect(root().querySelector('[data-testid=tab-body]')?.textContent).toBe('Commands of web-1');
    expect(tabLinks().map((a) => a.getAttribute('aria-selected'))).toEqual(['false', 'true', 'false', 'false', 'false', 'false']);
    http.expectNone('/api/v1/servers/s1'); // not read again
  });

  it('reads the server again when its agent comes back online (capabilities may have changed)', async () => {
    await openAt('/servers/s1');
    live.emit('server_status', { serverId: 's1', status: 'offline', lastSeen: null });
    harness.detectChanges();
    expect(root().querySelector('[data-testid=status-chip]')?.textContent).toContain('Offline');
    http.expectNone('/api/v1/servers/s1');
    live.emit('server_status', { serverId: 's1', status: 'online', lastSeen: new Date().toISOString() });
    http.expectOne('/api/v1/servers/s1').flush(serverWithAgent({ exec: true, terminal: true }));
    harness.detectChanges();
    expect(root().querySelector('[data-testid=status-chip]')?.textContent).toContain('Online');
  });

  it('shows a not-found page for an unknown server, and unsubscribes when left', async () => {
    const nav = harness.navigateByUrl('/servers/s1/commands');
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne('/api/v1/servers/s1').flush({ statusCode: 404, message: 'not found' }, { status: 404, statusText: 'Not Found' });
    await nav;
    harness.detectChanges();
    expect(root().querySelector('[data-testid=not-found]')).toBeTruthy();
    expect(root().querySelector('[data-testid=tab-body]')).toBeNull();
    expect(live.subscribedServers).toEqual([]);
  });

  it('the real route config lazy-loads every tab as a child of servers/:id', () => {
    const children = SERVER_DETAIL_ROUTES[0].children ?? [];
    expect(children.map((c) => c.path)).toEqual(SERVER_TABS.map((t) => t.path));
    expect(children.every((c) => typeof c.loadComponent === 'function' || typeof c.loadChildren === 'function')).toBe(true);
    expect(children[0].pathMatch).toBe('full');
  });
});
