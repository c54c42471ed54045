import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket as NetSocket } from 'node:net';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  containerInspectSchema, containerStatsSchema,
  type ContainerEvent, type LiveClientToServerEvents, type LiveContainerLogs, type LiveContainerLogsEnd, type LiveServerToClientEvents,
} from '@chatops/protocol';
import { apiClient, type ApiResponse, until as waitUntil } from './support/http';
import { BUSYBOX_IMAGE, type Podman, startPodman } from './support/podman';
import { type Proc, startAgent, startBackend } from './support/processes';

type Live = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/**
 * A unix socket in front of the engine's, so a test can take "Docker" away from one agent (and
 * bring it back) while podman keeps running for the others.
 */
class EngineProxy {
  private server: Server | null = null;
  private readonly conns = new Set<NetSocket>();
  constructor(readonly path: string, private readonly target: string) {}

  async up(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((c) => {
      const u = connect(this.target);
      this.conns.add(c).add(u);
      const drop = () => {
        c.destroy();
        u.destroy();
        this.conns.delete(c);
        this.conns.delete(u);
      };
      c.on('error', drop).on('close', drop);
      u.on('error', drop).on('close', drop);
      c.pipe(u).pipe(c);
    });
    await new Promise<void>((r) => this.server!.listen(this.path, r));
  }

  /** The engine is gone: open connections (the agent's event stream) cut, the socket removed. */
  async down(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
    this.server = null;
    rmSync(this.path, { force: true });
  }
}

/**
 * Docker operations end to end against a real Docker Engine API (podman's compatible service,
 * private storage, a local busybox image): REST → backend → the real agent CLI → engine, and
 * container events and followed logs back over `/live`. Without podman this fails at once saying
 * what to install; nothing is skipped.
 */
describe('Docker operations through the real agent (podman)', () => {
  let podman: Podman | null = null;
  let backend: (Proc & { baseUrl: string }) | null = null;
  let proxy: EngineProxy | null = null;
  const agents: Proc[] = [];
  const lives: Live[] = [];
  let token = '';
  let otherToken = '';
  let main = '';
  let readOnly = '';
  let proxied = '';

  const api = apiClient(() => backend!.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const otherApi = apiClient(() => backend!.baseUrl, () => ({ Authorization: `Bearer ${otherToken}` }));
  const logs = () => [
    `backend:\n${backend?.output().slice(-3000) ?? ''}`,
    ...agents.map((a, i) => `agent ${i}:\n${a.output().slice(-2500)}`),
    `podman:\n${podman?.output().slice(-1500) ?? ''}`,
  ].join('\n');
  const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string) => waitUntil(fn, ok, ms, what, logs);
  const expectStatus = (res: ApiResponse, status: number) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}\n${logs()}`);
    return res.body;
  };
  const docker = (serverId: string, path: string, method = 'GET') => api(method, `/docker/${serverId}${path}`);
  const act = (serverId: string, container: string, action: string, query = '') => docker(serverId, `/containers/${container}/${action}${query}`, 'POST');
  const stateOf = async (serverId: string, container: string) => expectStatus(await docker(serverId, `/containers/${container}`), 200).state;

  async function addServer(name: string, flags: string[]): Promise<string> {
    const server = expectStatus(await api('POST', '/servers', { name }), 201);
    const key = expectStatus(await api('POST', '/api-keys', { serverId: server.id }), 201);
    agents.push(startAgent(backend!.baseUrl, key.key, flags));
    await until(() => api('GET', `/servers/${server.id}`), (r) => r.body.status === 'online' && r.body.agent?.capabilities?.docker === true, 30_000, `${name} online with Docker`);
    return server.id as string;
  }

  /** A `/live` socket subscribed to `serverId`, recording container events and followed logs. */
  async function liveFor(serverId: string) {
    const live: Live = io(`${backend!.baseUrl}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    lives.push(live);
    const events: ContainerEvent[] = [];
    const chunks: LiveContainerLogs[] = [];
    const ends: LiveContainerLogsEnd[] = [];
    live.on('container_event', (p) => p.serverId === serverId && events.push(p.event));
    live.on('container_logs', (p) => chunks.push(p));
    live.on('container_logs_end', (p) => ends.push(p));
    expect(await live.timeout(10_000).emitWithAck('subscribe', { serverId })).toEqual({ ok: true });
    return { live, events, chunks, ends };
  }

  beforeAll(async () => {
    // podman first: without it this fails at once with the line saying what to install.
    podman = await startPodman();
    const run = (name: string, args: string[], script: string) =>
      podman!.cli(['run', '-d', '--name', name, '--network', 'none', ...args, BUSYBOX_IMAGE, 'sh', '-c', script]);
    // busybox sh as PID 1 ignores SIGTERM: `web` traps it and exits 0, `stubborn` waits for SIGKILL.
    await run('web', ['-e', 'SECRET_TOKEN=hunter2', '-e', 'MODE=prod'], 'trap "exit 0" TERM; while :; do sleep 1; done');
    await run('stubborn', [], 'while :; do sleep 1; done');
    await run('chatty', [], 'i=0; while :; do echo "tick $i"; echo "warn $i" >&2; i=$((i+1)); sleep 1; done');
    await run('tty', ['-t'], 'echo hello from a tty; while :; do sleep 1; done');

    backend = await startBackend();
    const register = async (email: string, username: string) =>
      expectStatus(await api('POST', '/auth/register', { email, username, password: 'correct horse battery' }), 201).accessToken as string;
    token = await register('docker-ops@example.test', 'dockerops');
    otherToken = await register('someone@example.test', 'someone');
    proxy = new EngineProxy(join(podman.dir, 'proxy.sock'), podman.socket);
    await proxy.up();
    [main, readOnly, proxied] = await Promise.all([
      addServer('docker-main', ['--docker-socket', podman.socket]),
      addServer('docker-read-only', ['--docker-socket', podman.socket, '--docker-read-only', '--docker-show-env']),
      addServer('docker-proxied', ['--docker-socket', proxy.path]),
    ]);
  });

  afterAll(async () => {
    for (const l of lives) l.disconnect();
    for (const a of agents) await a.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await proxy?.down().catch(() => undefined);
    await podman?.stop();
  });

  it('lists containers and images', async () => {
    const list = expectStatus(await docker(main, '/containers'), 200) as Array<{ name: string; state: string; image: string; id: string }>;
    expect(list.map((c) => c.name).sort()).toEqual(['chatty', 'stubborn', 'tty', 'web']);
    for (const c of list) expect(c).toMatchObject({ state: 'running', image: BUSYBOX_IMAGE, id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const images = expectStatus(await docker(main, '/images'), 200);
    expect(images).toEqual(expect.arrayContaining([expect.objectContaining({ tags: [BUSYBOX_IMAGE], sizeBytes: expect.any(Number) })]));
  });

  it('inspect redacts environment values unless the agent runs with --docker-show-env; an unknown container is a 404', async () => {
    const web = expectStatus(await docker(main, '/containers/web'), 200);
    expect(containerInspectSchema.parse(web)).toBeTruthy();
    expect(web).toMatchObject({ name: 'web', image: BUSYBOX_IMAGE, envRedacted: true, state: { running: true, status: 'running' }, config: { tty: false } });
    expect(web.config.env).toEqual(expect.arrayContaining(['SECRET_TOKEN=***', 'MODE=***']));
    expect(JSON.stringify(web)).not.toContain('hunter2');
    const shown = expectStatus(await docker(readOnly, '/containers/web'), 200);
    expect(shown).toMatchObject({ envRedacted: false });
    expect(shown.config.env).toContain('SECRET_TOKEN=hunter2');
    const missing = await docker(main, '/containers/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'docker.container_not_found' });
  });

  it('stop and start: 200, the state changes, and die (with its exit code) and start arrive live on /live', async () => {
    const { events } = await liveFor(main);
    expect(expectStatus(await act(main, 'web', 'stop', '?timeout=10'), 200)).toMatchObject({ ok: true, action: 'stop', name: 'web' });
    expect(await stateOf(main, 'web')).toMatchObject({ running: false, exitCode: 0 });
    await until(async () => events, (e) => e.some((x) => x.name === 'web' && x.action === 'die'), 10_000, 'die on /live');
    expect(events.find((x) => x.action === 'die')).toMatchObject({ name: 'web', exitCode: 0, containerId: expect.stringMatching(/^[0-9a-f]{64}$/) });

    expectStatus(await act(main, 'web', 'start'), 200);
    expect(await stateOf(main, 'web')).toMatchObject({ running: true });
    await until(async () => events, (e) => e.some((x) => x.name === 'web' && x.action === 'start'), 10_000, 'start on /live');
    // Starting a running container is a success (the engine's 304), not an error.
    expectStatus(await act(main, 'web', 'start'), 200);
    const kept = expectStatus(await docker(main, '/events?containerId=web'), 200);
    expect(kept.map((e: ContainerEvent) => e.action)).toEqual(expect.arrayContaining(['die', 'start']));
  });

  it('alerts from the real events: a container_down rule fires when web dies and resolves when it starts again', async () => {
    const rule = expectStatus(await api('POST', '/alerts/thresholds',
      { serverId: main, metricType: 'container_down', comparison: 'eq', thresholdValue: 1, target: 'web', severity: 'critical' }), 201);
    try {
      expectStatus(await act(main, 'web', 'stop', '?timeout=10'), 200);
      const open = await until(() => api('GET', `/alerts?thresholdId=${rule.id}&status=open`), (r) => r.body.items?.length === 1, 15_000, 'the container_down alert open');
      expect(open.body.items[0]).toMatchObject({ metricType: 'container_down', target: 'web', severity: 'critical', status: 'active' });
      expectStatus(await act(main, 'web', 'start'), 200);
      const resolved = await until(() => api('GET', `/alerts?thresholdId=${rule.id}&status=resolved`), (r) => r.body.items?.length === 1, 15_000, 'the alert resolved by the start');
      expect(resolved.body.items[0]).toMatchObject({ id: open.body.items[0].id, resolveReason: 'recovered' });
    } finally {
      expectStatus(await api('DELETE', `/alerts/thresholds/${rule.id}`), 204);
    }
  });

  it('a slow stop with a custom timeout succeeds (the container ignores SIGTERM: SIGKILL after 2 s)', async () => {
    const started = Date.now();
    expect(expectStatus(await act(main, 'stubborn', 'stop', '?timeout=2'), 200)).toMatchObject({ ok: true, name: 'stubborn' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    expect(await stateOf(main, 'stubborn')).toMatchObject({ running: false, exitCode: 137 });
  });

  it('restart, pause, unpause, kill', async () => {
    const before = (await stateOf(main, 'web')).startedAt;
    expectStatus(await act(main, 'web', 'restart', '?timeout=5'), 200);
    const after = await stateOf(main, 'web');
    expect(after.running).toBe(true);
    expect(after.startedAt).not.toBe(before);

    expectStatus(await act(main, 'web', 'pause'), 200);
    expect(await stateOf(main, 'web')).toMatchObject({ paused: true, status: 'paused' });
    expectStatus(await act(main, 'web', 'unpause'), 200);
    expect(await stateOf(main, 'web')).toMatchObject({ paused: false, running: true });

    expectStatus(await act(main, 'stubborn', 'start'), 200);
    expect(expectStatus(await act(main, 'stubborn', 'kill', '?signal=SIGKILL'), 200)).toMatchObject({ ok: true, action: 'kill' });
    await until(() => stateOf(main, 'stubborn'), (s) => s.running === false, 10_000, 'stubborn killed');
  });

  it('the chat console: `docker restart web on docker-main` asks for a confirmation, restarts nothing until confirmed, then restarts it on the engine', async () => {
    const say = async (text: string) => expectStatus(await api('POST', '/chatops/messages', { text }), 200).reply;
    const before = (await stateOf(main, 'web')).startedAt;
    const asked = await say('docker restart web on docker-main');
    expect(asked.confirm?.token).toEqual(expect.any(String));
    expect((await stateOf(main, 'web')).startedAt).toBe(before); // nothing happened yet
    const done = await say(`confirm ${asked.confirm.token}`);
    expect(done.title).toBe('Container web restarted on docker-main');
    const after = await stateOf(main, 'web');
    expect(after.running).toBe(true);
    expect(after.startedAt).not.toBe(before);
    const audit = expectStatus(await api('GET', `/audit?serverId=${main}&action=docker.restart`), 200);
    expect(audit.items[0]).toMatchObject({ action: 'docker.restart', success: true, channel: 'dashboard' });
  });

  it('remove: refused while running without force (409 with the engine\'s message), done with force', async () => {
    const refused = await act(main, 'web', 'remove');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'docker.conflict', message: expect.stringMatching(/running/) });
    expect(expectStatus(await act(main, 'web', 'remove', '?force=true'), 200)).toMatchObject({ ok: true, action: 'remove', name: 'web' });
    expect((await docker(main, '/containers/web')).status).toBe(404);
  });

  it('logs: tail, stdout and stderr apart, timestamps, since', async () => {
    await until(() => docker(main, '/containers/chatty/logs?tail=100'), (r) => r.body.lines?.length >= 8, 15_000, 'some chatty lines');
    const tail = expectStatus(await docker(main, '/containers/chatty/logs?tail=4&timestamps=true'), 200);
    expect(tail.lines).toHaveLength(4);
    expect(new Set(tail.lines.map((l: { stream: string }) => l.stream))).toEqual(new Set(['stdout', 'stderr']));
    for (const l of tail.lines) {
      expect(l.text).toMatch(/^(tick|warn) \d+$/);
      expect(l.stream).toBe(l.text.startsWith('tick') ? 'stdout' : 'stderr');
      expect(Date.parse(l.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    }
    // since: only what was printed at or after it (the engine's timestamps have whole seconds here).
    const all = expectStatus(await docker(main, '/containers/chatty/logs?tail=1000&timestamps=true'), 200).lines as Array<{ timestamp: string; text: string }>;
    const cut = Date.parse(all[Math.floor(all.length / 2)].timestamp) / 1000;
    const since = expectStatus(await docker(main, `/containers/chatty/logs?tail=1000&timestamps=true&since=${cut}`), 200).lines as typeof all;
    expect(since.length).toBeGreaterThan(0);
    expect(since.length).toBeLessThan(all.length);
    for (const l of since) expect(Date.parse(l.timestamp) / 1000).toBeGreaterThanOrEqual(cut);
  });

  it('follow over /live: the tail, then a line printed after subscribing; unsubscribe stops it', async () => {
    const { live, chunks } = await liveFor(main);
    const ack = await live.timeout(10_000).emitWithAck('container_logs_subscribe', { serverId: main, containerId: 'chatty', tail: 1 });
    if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}\n${logs()}`);
    const texts = () => chunks.filter((c) => c.streamId === ack.streamId).flatMap((c) => c.lines.map((l) => l.text));
    await until(async () => texts(), (t) => t.length >= 1, 10_000, 'the tail');
    const first = Math.max(...texts().map((t) => Number(t.split(' ')[1])));
    // A tick printed after the subscription (one a second).
    await until(async () => texts(), (t) => t.some((x) => x === `tick ${first + 1}` || x === `tick ${first + 2}`), 10_000, 'a new line');
    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId: ack.streamId })).toEqual({ ok: true });
    const count = texts().length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(texts().length).toBe(count);
  });

  it('a TTY container\'s log (no multiplexing) reads as stdout', async () => {
    const res = expectStatus(await docker(main, '/containers/tty/logs?tail=10'), 200);
    expect(res.lines).toEqual([{ stream: 'stdout', text: 'hello from a tty' }]);
  });

  it('stats: one reading of a running container; zeros for a stopped one', async () => {
    const stats = expectStatus(await docker(main, '/containers/chatty/stats'), 200);
    expect(containerStatsSchema.parse(stats)).toEqual(stats);
    expect(stats.memBytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThanOrEqual(1);
    expect(expectStatus(await docker(main, '/containers/stubborn/stats'), 200)).toEqual({ cpuPercent: 0, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 });
  });

  it('a read-only agent: says so in its hello, reads allowed, every change refused with 403 naming the flag', async () => {
    expect(expectStatus(await api('GET', `/servers/${readOnly}`), 200).agent.capabilities).toMatchObject({ docker: true, dockerReadOnly: true });
    expect(expectStatus(await api('GET', `/servers/${main}`), 200).agent.capabilities).toMatchObject({ docker: true, dockerReadOnly: false });
    expectStatus(await docker(readOnly, '/containers'), 200);
    expectStatus(await docker(readOnly, '/containers/chatty/logs?tail=1'), 200);
    const refused = await act(readOnly, 'chatty', 'stop');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'docker.read_only', message: expect.stringContaining('--docker-read-only') });
    expect((await stateOf(main, 'chatty')).running).toBe(true);
  });

  it('another user\'s server is a 404, and nothing reaches its agent', async () => {
    for (const res of [await otherApi('GET', `/docker/${main}/containers`), await otherApi('POST', `/docker/${main}/containers/chatty/stop`)]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'server.not_found' });
    }
    expect((await stateOf(main, 'chatty')).running).toBe(true);
  });

  it('Docker down on the agent: 503 naming the engine; events resume when it is back', async () => {
    await proxy!.down();
    const res = await docker(proxied, '/containers');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'docker.docker_unavailable', message: expect.stringContaining('Docker Engine') });
    expect((await api('GET', `/servers/${proxied}`)).body.status).toBe('online');

    await proxy!.up();
    expectStatus(await docker(proxied, '/containers'), 200);
    const { events } = await liveFor(proxied);
    // The agent reconnects to the event stream with backoff (at most 10 s between tries): a die
    // printed after that arrives. Restart chatty until one does.
    await until(async () => {
      await act(proxied, 'chatty', 'restart', '?timeout=0');
      return events;
    }, (e) => e.some((x) => x.name === 'chatty' && x.action === 'die'), 30_000, 'events after the engine came back');
  });
});
