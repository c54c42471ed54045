import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ROLE_CAPABILITIES, type ContainerEvent, type ContainerInfo, type MetricsSample, type Server } from '@chatops/protocol';
import { q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { nextRequest } from '../../../testing/http-helpers';
import { loadServerContext, serverWithAgent, waitFor } from '../../../testing/server-context';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { NotifyService } from '../../core/notify/notify.service';
import { ServerContext } from '../server-detail/server-context';
import { ContainersPage } from './containers.page';
import { REFRESH_AFTER_EVENT_MS } from './containers-store';

const ID_WEB = 'a'.repeat(64);
const ID_DB = 'b'.repeat(64);
const ID_JOB = 'c'.repeat(64);

function container(id: string, name: string, state: string, status: string, partial: Partial<ContainerInfo> = {}): ContainerInfo {
  return { id, name, image: `local/${name}:1`, state, status, createdAt: '2026-11-28T10:00:00.000Z', ports: [], ...partial };
}
const LIST: ContainerInfo[] = [
  container(ID_WEB, 'web', 'running', 'Up 2 hours', { ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }] }),
  container(ID_DB, 'db', 'running', 'Up 3 days (unhealthy)'),
  container(ID_JOB, 'job', 'exited', 'Exited (1) 5 minutes ago'),
];

function sample(containers: MetricsSample['containers']): MetricsSample {
  return {
    seq: 1, bootId: 'b', timestamp: new Date().toISOString(),
    cpu: { percent: 10, perCore: [10], load: [0, 0, 0], cores: 1 },
    memory: { totalBytes: 1, usedBytes: 1, availableBytes: 0, percent: 50, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [], network: [], containers,
  };
}

describe('ContainersPage', () => {
  let fixture: ComponentFixture<ContainersPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  let notify: { success: jest.SpyInstance; error: jest.SpyInstance };

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), ServerContext, { provide: LiveSocketService, useClass: FakeLiveSocketService }],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    const n = TestBed.inject(NotifyService);
    notify = { success: jest.spyOn(n, 'success').mockResolvedValue(), error: jest.spyOn(n, 'error').mockResolvedValue() };
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
  });

  /** Opens the tab for `srv`; answers the events read (and the list and latest sample when the agent has Docker). */
  async function open(srv: Server = serverWithAgent({ docker: true }), list: ContainerInfo[] | null = LIST, events: ContainerEvent[] = []): Promise<void> {
    loadServerContext(http, srv);
    fixture = TestBed.createComponent(ContainersPage);
    await fixture.whenStable();
    (await nextRequest(http, '/api/v1/docker/s1/events')).flush(events);
    if (list) {
      const req = await nextRequest(http, '/api/v1/docker/s1/containers');
      expect(req.request.params.get('all')).toBe('true');
      req.flush(list);
      await fixture.whenStable();
      (await nextRequest(http, '/api/v1/metrics/s1')).flush({ serverId: 's1', timestamp: new Date().toISOString(), sample: sample([]) });
    }
    await fixture.whenStable();
  }
  const rows = () => qa(fixture, '[data-testid=container-row]');
  const row = (name: string) => q(fixture, `[data-testid=container-row][data-name="${name}"]`);
  const cells = (name: string) => Array.from(row(name).querySelectorAll('td')).map((td) => td.textContent!.replace(/\s+/g, ' ').trim());
  const dialog = () => (Array.from(document.querySelectorAll('app-container-action-dialog')).at(-1) as HTMLElement | undefined) ?? null;
  const isList = (r: { method: string; url: string }) => r.method === 'GET' && r.url === '/api/v1/docker/s1/containers';
  /** Clicks a dialog button and waits until the dialog has closed (afterClosed follows its exit animation). */
  const closeWith = async (selector: string | 'Cancel') => {
    const d = dialog()!;
    const b = selector === 'Cancel' ? Array.from(d.querySelectorAll('button')).find((x) => x.textContent?.trim() === 'Cancel')! : d.querySelector<HTMLButtonElement>(selector)!;
    b.click();
    await waitFor(() => !document.querySelector('app-container-action-dialog'), 'the dialog to close');
    await settle();
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
  };

  it('lists the containers: name, image, state as icon and text, status, ports, uptime', async () => {
    await open();
    expect(rows().map((r) => r.dataset['name'])).toEqual(['db', 'job', 'web']);
    const web = cells('web');
    expect(web).toEqual(expect.arrayContaining(['web', 'local/web:1', 'Running', 'Up 2 hours', '8080→80/tcp', '2 hours']));
    expect(row('db').querySelector('[data-testid=container-health]')?.textContent).toContain('Unhealthy');
    expect(row('job').querySelector('[data-testid=container-state]')?.textContent?.trim()).toBe('Exited');
    expect(row('job').querySelector('app-icon')).toBeTruthy();
    expect(text(fixture)).toContain('2 running of 3');
    // a stopped container offers start, a running one stop
    expect(row('job').querySelector('[data-testid=action-start]')).toBeTruthy();
    expect(row('web').querySelector('[data-testid=action-stop]')).toBeTruthy();
  });

  it('updates state, CPU and memory from live samples and keeps each trend bounded', async () => {
    await open();
    for (let i = 0; i < 40; i++) {
      live.emit('metrics', { serverId: 's1', sample: sample([{ id: ID_WEB, name: 'web', image: 'local/web:1', state: 'running', status: 'Up 2 hours', cpuPercent: 12.5 + i, memBytes: 64 * 1024 * 1024, memLimitBytes: 256 * 1024 * 1024 }]) });
    }
    live.emit('metrics', { serverId: 'other', sample: sample([{ id: ID_WEB, name: 'web', image: 'x', state: 'exited', status: 'Exited', cpuPercent: 99 }]) });
    await fixture.whenStable();
    expect(row('web').querySelector('[data-testid=container-cpu]')?.textContent).toBe('52%');
    expect(row('web').querySelector('[data-testid=container-mem]')?.textContent).toBe('64.0 MiB');
    expect(row('web').querySelector('app-sparkline svg')?.getAttribute('aria-label')).toBe('CPU of web: latest 52%');
    const store = (fixture.componentInstance as unknown as { store: { rows(): { name: string; cpuTrend: number[]; memTrend: number[] }[] } }).store;
    const web = store.rows().find((r) => r.name === 'web')!;
    expect(web.cpuTrend).toHaveLength(30);
    expect(web.memTrend.at(-1)).toBe(25);
  });

  it('changes a row live on container_event, lists the event, and reads the list again', async () => {
    await open(undefined, LIST, [{ containerId: ID_JOB, name: 'job', image: 'local/job:1', action: 'die', exitCode: 1, health: null, time: '2026-11-28T11:00:00.000Z' }]);
    expect(qa(fixture, '[data-testid=container-event]')[0].textContent).toContain('exited with code 1');
    live.emit('container_event', { serverId: 's1', event: { containerId: ID_WEB, name: 'web', image: 'local/web:1', action: 'die', exitCode: 137, health: null, time: new Date().toISOString() } });
    await fixture.whenStable();
    expect(row('web').querySelector('[data-testid=container-state]')?.getAttribute('data-state')).toBe('exited');
    expect(row('web').querySelector('[data-testid=container-status]')?.textContent).toBe('Exited (137)');
    expect(row('web').querySelector('[data-testid=action-start]')).toBeTruthy();
    const events = qa(fixture, '[data-testid=container-event]');
    expect(events).toHaveLength(2);
    expect(events[0].textContent).toContain('web');
    expect(events[0].textContent).toContain('exited with code 137');
    // the list is read again a moment later for Docker's own status text
    await new Promise((r) => setTimeout(r, REFRESH_AFTER_EVENT_MS + 50));
    http.expectOne(isList).flush(LIST.map((c) => (c.id === ID_WEB ? { ...c, state: 'exited', status: 'Exited (137) 1 second ago' } : c)));
    await fixture.whenStable();
    expect(row('web').querySelector('[data-testid=container-status]')?.textContent).toBe('Exited (137) 1 second ago');
    live.emit('container_event', { serverId: 's1', event: { containerId: ID_JOB, name: 'job', image: null, action: 'destroy', exitCode: null, health: null, time: new Date().toISOString() } });
    await fixture.whenStable();
    expect(rows().map((r) => r.dataset['name'])).toEqual(['db', 'web']);
  });

  it('starts a stopped container without asking, shows it pending, then a success toast', async () => {
    await open();
    (row('job').querySelector('[data-testid=action-start]') as HTMLButtonElement).click();
    await settle();
    expect(dialog()).toBeNull();
    const post = http.expectOne((r) => r.method === 'POST');
    expect(post.request.url).toBe(`/api/v1/docker/s1/containers/${ID_JOB}/start`);
    await fixture.whenStable();
    expect(row('job').textContent).toContain('Start…');
    post.flush({ ok: true, action: 'start', containerId: ID_JOB, name: 'job' });
    await settle();
    expect(notify.success).toHaveBeenCalledWith('Started job');
    http.expectOne(isList).flush(LIST);
  });

  it('confirms a stop; cancelling sends nothing; a failure toasts Docker\'s message', async () => {
    await open();
    (row('web').querySelector('[data-testid=action-stop]') as HTMLButtonElement).click();
    await settle();
    expect(dialog()?.textContent).toContain('Stop web on web-1');
    await closeWith('Cancel');
    http.expectNone((r) => r.method === 'POST');

    (row('web').querySelector('[data-testid=action-stop]') as HTMLButtonElement).click();
    await settle();
    await closeWith('[data-testid=confirm-button]');
    const post = http.expectOne((r) => r.method === 'POST');
    expect(post.request.url).toBe(`/api/v1/docker/s1/containers/${ID_WEB}/stop`);
    expect(post.request.params.keys()).toEqual([]);
    post.flush({ statusCode: 409, error: 'Conflict', code: 'docker.conflict', message: 'container is marked for removal and cannot be started', requestId: 'r-9' }, { status: 409, statusText: 'Conflict' });
    await settle();
    expect(notify.error).toHaveBeenCalledWith('Could not stop web: container is marked for removal and cannot be started', 'r-9');
    expect(notify.success).not.toHaveBeenCalled();
    http.expectOne(isList).flush(LIST);
  });

  it('removes the selection with force and volumes after confirming, one request per container', async () => {
    await open();
    const check = (name: string) => row(name).querySelector<HTMLInputElement>('mat-checkbox input')!.click();
    check('web');
    check('job');
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=bulk-actions]').textContent).toContain('2 selected');
    expect(q<HTMLButtonElement>(fixture, '[data-testid=bulk-start]').disabled).toBe(false); // job
    expect(q<HTMLButtonElement>(fixture, '[data-testid=bulk-unpause]').disabled).toBe(true);
    q<HTMLButtonElement>(fixture, '[data-testid=bulk-remove]').click();
    await settle();
    expect(dialog()?.textContent).toContain('Remove 2 containers (job, web)');
    // web runs: force is on by default
    expect(dialog()!.querySelector<HTMLInputElement>('[data-testid=opt-force] input')!.checked).toBe(true);
    dialog()!.querySelector<HTMLInputElement>('[data-testid=opt-volumes] input')!.click();
    await settle();
    await closeWith('[data-testid=confirm-button]');
    const posts = http.match((r) => r.method === 'POST');
    expect(posts.map((p) => p.request.url).sort()).toEqual([`/api/v1/docker/s1/containers/${ID_WEB}/remove`, `/api/v1/docker/s1/containers/${ID_JOB}/remove`]);
    for (const p of posts) {
      expect(p.request.params.get('force')).toBe('true');
      expect(p.request.params.get('volumes')).toBe('true');
      p.flush({ ok: true, action: 'remove', containerId: 'x', name: null });
    }
    await settle();
    expect(notify.success).toHaveBeenCalledWith('Removed 2 of 2 containers');
    expect(rows().map((r) => r.dataset['name'])).toEqual(['db']);
    http.expectOne(isList).flush([LIST[1]]);
  });

  it('hides the actions once the agent answers that it is read-only', async () => {
    await open();
    (row('job').querySelector('[data-testid=action-start]') as HTMLButtonElement).click();
    await settle();
    http.expectOne((r) => r.method === 'POST').flush(
      { statusCode: 403, error: 'Forbidden', code: 'docker.read_only', message: 'The agent runs with --docker-read-only', requestId: 'r-1' }, { status: 403, statusText: 'Forbidden' },
    );
    await settle();
    http.expectOne(isList).flush(LIST);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=read-only]').textContent).toContain('--docker-read-only');
    expect(qa(fixture, '[data-testid=action-start], [data-testid=action-stop], mat-checkbox')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=action-logs]')).toHaveLength(3);
  });

  it('hides the actions from the start when the agent\'s hello says it is read-only', async () => {
    await open(serverWithAgent({ docker: true, dockerReadOnly: true }));
    expect(q(fixture, '[data-testid=read-only]').textContent).toContain('--docker-read-only');
    expect(qa(fixture, '[data-testid=action-start], [data-testid=action-stop], mat-checkbox')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=action-logs]')).toHaveLength(3);
  });

  it('shows a team viewer the containers without any action, saying why (docker.action)', async () => {
    const access = { via: 'viewer' as const, teamId: 't1', capabilities: [...ROLE_CAPABILITIES.viewer], breakGlass: false };
    await open(serverWithAgent({ docker: true }, { access }));
    expect(q(fixture, '[data-testid=no-docker-action]').textContent).toContain('Your role (viewer) on this server does not allow this (docker.action)');
    expect(qa(fixture, '[data-testid=action-start], [data-testid=action-stop], [data-testid=select-all], mat-checkbox')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=action-logs]')).toHaveLength(3);
    (row('web').querySelector('[data-testid=action-more]') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(document.querySelector('[data-testid=menu-inspect]')).not.toBeNull();
    expect(document.querySelector('[data-testid=menu-restart], [data-testid=menu-kill], [data-testid=menu-remove]')).toBeNull();
  });

  it('gives an operator the actions', async () => {
    const access = { via: 'operator' as const, teamId: 't1', capabilities: [...ROLE_CAPABILITIES.operator], breakGlass: false };
    await open(serverWithAgent({ docker: true }, { access }));
    expect(qa(fixture, '[data-testid=no-docker-action]')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=action-start], [data-testid=action-stop]').length).toBeGreaterThan(0);
  });

  it('reads the list and the events again when the live connection comes back (events are delivered at most once)', async () => {
    await open();
    live.drop();
    await fixture.whenStable();
    live.status.set('connected');
    await fixture.whenStable();
    (await nextRequest(http, '/api/v1/docker/s1/events')).flush([{ containerId: ID_WEB, name: 'web', image: null, action: 'die', exitCode: 137, health: null, time: new Date().toISOString() }]);
    http.expectOne(isList).flush(LIST.map((c) => (c.id === ID_WEB ? { ...c, state: 'exited', status: 'Exited (137) 3 seconds ago' } : c)));
    await fixture.whenStable();
    expect(row('web').querySelector('[data-testid=container-state]')?.getAttribute('data-state')).toBe('exited');
    expect(qa(fixture, '[data-testid=container-event]')[0].textContent).toContain('exited with code 137');
  });

  it.each([
    ['no agent yet', serverWithAgent(null), 'No agent has connected'],
    ['agent offline', serverWithAgent({ docker: true }, { status: 'offline' }), 'The agent is offline'],
    ['no docker', serverWithAgent({ docker: false }), 'Docker is not available'],
  ])('shows why there is no table: %s (and asks no list)', async (_what, srv, message) => {
    await open(srv, null, [{ containerId: ID_WEB, name: 'web', image: null, action: 'oom', exitCode: null, health: null, time: '2026-11-28T11:00:00.000Z' }]);
    expect(text(fixture)).toContain(message);
    http.expectNone(isList);
    expect(qa(fixture, '[data-testid=container-event]')[0].textContent).toContain('ran out of memory');
  });

  it('says when there are no containers, and names an unreachable engine with a retry', async () => {
    await open(undefined, []);
    expect(text(fixture)).toContain('No containers');
    fixture.componentInstance['store'].loadList();
    http.expectOne(isList).flush(
      { statusCode: 503, error: 'Service Unavailable', code: 'docker.docker_unavailable', message: "The agent's Docker Engine does not answer", requestId: 'r-2' },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await fixture.whenStable();
    expect(text(fixture)).toContain('The Docker Engine does not answer');
    expect(text(fixture)).toContain("The agent's Docker Engine does not answer (request r-2)");
    q<HTMLButtonElement>(fixture, '[data-testid=retry]').click();
    http.expectOne(isList).flush(LIST);
    await waitFor(() => rows().length === 3, 'the table');
  });
});
