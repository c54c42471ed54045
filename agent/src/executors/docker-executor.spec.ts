import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerEvent, DockerLogsChunk, DockerLogsEnd, DockerResult } from '@chatops/protocol';
import { dockerDataSchemas } from '@chatops/protocol';
import { DockerEngine } from '../collectors/docker-engine';
import { createLogger } from '../log';
import { createDockerode, DockerExecutor, type DockerExecutorOptions, type DockerOwner } from './docker-executor';

const WEB = 'a'.repeat(64);
const STREAM = '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f405162';
const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head.writeUInt8(stream, 0);
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};
const inspectDoc = (id: string, name: string, tty: boolean, running = true) => ({
  Id: id, Name: `/${name}`, Image: 'sha256:1', Created: '2026-05-01T10:00:00Z', Path: 'sh', Args: [],
  State: { Status: running ? 'running' : 'exited', Running: running, Pid: running ? 10 : 0, ExitCode: 0 },
  Config: { Image: 'busybox:1', Tty: tty, Env: ['SECRET=s3cret'] }, HostConfig: {}, NetworkSettings: {},
});

/**
 * A fake Docker Engine API on a unix socket: answers as Docker does (status codes, `{message}`
 * bodies, the multiplexed log format), so dockerode and docker-modem run for real.
 */
class FakeEngine {
  readonly requests: string[] = [];
  follow: ServerResponse | null = null;
  private server: Server | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'fake-engine-'));
  readonly socket = join(this.dir, 'docker.sock');

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.route(req, res));
    await new Promise<void>((r) => this.server!.listen(this.socket, r));
  }

  async stop(): Promise<void> {
    this.follow?.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://engine');
    const path = url.pathname;
    this.requests.push(`${req.method} ${path}${url.search}`);
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(path);
    if (path === '/containers/json') return json(200, [{ Id: WEB, Names: ['/web'], Image: 'busybox:1', State: 'running', Status: 'Up 1 minute', Created: 1777629600, Ports: [] }]);
    if (path === '/images/json') return json(200, [{ Id: 'sha256:1', RepoTags: ['busybox:1'], Size: 10, Created: 1777629600 }]);
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ Type: 'container', Action: 'die', id: WEB, Actor: { ID: WEB, Attributes: { name: 'web', exitCode: '3' } }, time: 1777629600, timeNano: 1777629600e9 }) + '\n');
      return; // stays open
    }
    if (!m) return json(404, { message: 'page not found' });
    const [, ref, sub] = m;
    if (ref === 'slow') return; // never answers
    const docs: Record<string, unknown> = { web: inspectDoc(WEB, 'web', false), [WEB]: inspectDoc(WEB, 'web', false), tty: inspectDoc('b'.repeat(64), 'tty', true), stopped: inspectDoc('c'.repeat(64), 'stopped', false, false) };
    if (!docs[ref]) return json(404, { message: `No such container: ${ref}` });
    if (sub === '/json') return json(200, docs[ref]);
    if (sub === '/start') return json(304);
    if (sub === '/stop' || sub === '/kill' || sub === '/restart') return json(204);
    if (!sub && req.method === 'DELETE') {
      if (url.searchParams.get('force') !== 'true') return json(409, { message: `You cannot remove a running container ${WEB}. Stop the container before attempting removal or force remove` });
      return json(204);
    }
    if (sub === '/stats') {
      const n = this.requests.filter((r) => r.includes('/stats')).length;
      return json(200, { read: new Date(Date.UTC(2026, 4, 1, 10, 0, 0, n * 100)).toISOString(), cpu_stats: { cpu_usage: { total_usage: n * 5e7 }, online_cpus: 2 }, memory_stats: { usage: 1000, limit: 4000 }, pids_stats: { current: 3 } });
    }
    if (sub === '/logs') {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' });
      if (ref === 'tty') return void res.end('tty line 1\r\ntty line 2\r\n');
      const ts = url.searchParams.get('timestamps') === 'true' ? '2026-05-01T10:00:00.000000001Z ' : '';
      res.write(Buffer.concat([frame(1, `${ts}out 1\n`), frame(2, `${ts}err 1\n`)]));
      if (url.searchParams.get('follow') === 'true') {
        this.follow = res;
        return;
      }
      return void res.end(frame(1, `${ts}out 2\n`));
    }
    json(500, { message: 'unexpected' });
  }
}

class Owner implements DockerOwner {
  readonly chunks: DockerLogsChunk[] = [];
  readonly ends: DockerLogsEnd[] = [];
  readonly events: ContainerEvent[] = [];
  logs(c: DockerLogsChunk) { this.chunks.push(c); return true; }
  logsEnd(e: DockerLogsEnd) { this.ends.push(e); }
  event(e: ContainerEvent) { this.events.push(e); }
}

const waitFor = async (cond: () => boolean, what: string, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('DockerExecutor against an Engine API', () => {
  let engine: FakeEngine;
  let executor: DockerExecutor;
  let owner: Owner;
  const make = (o: Partial<DockerExecutorOptions> = {}) => new DockerExecutor({
    docker: () => createDockerode({ kind: 'socket', socketPath: engine.socket }), readOnly: false, showEnv: false,
    logger: createLogger({ level: 'silent' }), statsGapMs: 10, ...o,
  });
  const ask = (req: Record<string, unknown>, ex = executor): Promise<DockerResult> =>
    new Promise((resolve) => ex.handle(owner, { requestId: 'r1', ...req }, resolve));

  beforeEach(async () => {
    engine = new FakeEngine();
    await engine.start();
    executor = make();
    owner = new Owner();
    executor.attach(owner);
  });
  afterEach(async () => {
    await executor.shutdown();
    await engine.stop();
  });

  it('list, images, inspect (env redacted), stats: data valid for the backend\'s schemas', async () => {
    for (const [action, extra] of [['list', {}], ['images', {}], ['inspect', { containerId: 'web' }], ['stats', { containerId: 'web' }]] as const) {
      const res = await ask({ action, ...extra });
      if (!res.ok) throw new Error(`${action}: ${JSON.stringify(res)}`);
      expect(dockerDataSchemas[action].safeParse(res.data).success).toBe(true);
    }
    const inspect = await ask({ action: 'inspect', containerId: 'web' });
    expect(inspect).toMatchObject({ ok: true, data: { name: 'web', envRedacted: true, config: { env: ['SECRET=***'] } } });
    // Two one-shot readings 100 ms apart, 50 ms of CPU between them: half a core.
    expect(await ask({ action: 'stats', containerId: 'web' })).toMatchObject({ ok: true, data: { cpuPercent: 50, memBytes: 1000, memLimitBytes: 4000, pids: 3 } });
    expect(await ask({ action: 'stats', containerId: 'stopped' })).toEqual({ ok: true, data: { cpuPercent: 0, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 } });
  });

  it('mutations: inspected first (full id and name), 304 is a success, options reach the engine, 404 and 409 mapped with Docker\'s message', async () => {
    expect(await ask({ action: 'start', containerId: 'web' })).toEqual({ ok: true, data: { id: WEB, name: 'web' } });
    expect(await ask({ action: 'stop', containerId: 'web', options: { timeoutSec: 2 } })).toEqual({ ok: true, data: { id: WEB, name: 'web' } });
    expect(await ask({ action: 'kill', containerId: 'web', options: { signal: 'SIGHUP' } })).toMatchObject({ ok: true });
    expect(engine.requests).toEqual(expect.arrayContaining(['POST /containers/web/stop?t=2', 'POST /containers/web/kill?signal=SIGHUP']));
    expect(await ask({ action: 'remove', containerId: 'web' })).toEqual({
      ok: false, error: 'conflict', message: expect.stringMatching(/^You cannot remove a running container/),
    });
    expect(await ask({ action: 'remove', containerId: 'web', options: { force: true } })).toMatchObject({ ok: true });
    expect(await ask({ action: 'restart', containerId: 'nope' })).toEqual({ ok: false, error: 'not_found', message: 'No such container: nope' });
    expect(engine.requests).not.toContain('POST /containers/nope/restart');
  });

  it('refuses malformed requests (bad_request), and every mutation on a read-only agent before the engine hears of it', async () => {
    expect(await ask({ action: 'explode' })).toMatchObject({ ok: false, error: 'bad_request', message: expect.stringContaining('unknown action') });
    expect(await ask({ action: 'inspect', containerId: '../etc' })).toMatchObject({ ok: false, error: 'bad_request' });
    expect(await ask({ action: 'kill', containerId: 'web', options: { signal: 'SIG KILL' } })).toMatchObject({ ok: false, error: 'bad_request' });
    expect(await ask({ action: 'logs', containerId: 'web', options: { tail: 10_001 } })).toMatchObject({ ok: false, error: 'bad_request' });
    const ro = make({ readOnly: true });
    const before = engine.requests.length;
    for (const action of ['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove']) {
      expect(await ask({ action, containerId: 'web' }, ro)).toEqual({ ok: false, error: 'read_only' });
    }
    expect(engine.requests.length).toBe(before);
    expect(await ask({ action: 'logs', containerId: 'web' }, ro)).toMatchObject({ ok: true });
    await ro.shutdown();
  });

  it('logs: demultiplexed with timestamps; a TTY container\'s raw log is stdout', async () => {
    expect(await ask({ action: 'logs', containerId: 'web', options: { tail: 3, since: 1777629600.5, timestamps: true } })).toEqual({
      ok: true, data: { lines: [
        { stream: 'stdout', text: 'out 1', timestamp: '2026-05-01T10:00:00.000000001Z' },
        { stream: 'stderr', text: 'err 1', timestamp: '2026-05-01T10:00:00.000000001Z' },
        { stream: 'stdout', text: 'out 2', timestamp: '2026-05-01T10:00:00.000000001Z' },
      ] },
    });
    expect(engine.requests.find((r) => r.startsWith('GET /containers/web/logs'))).toMatch(/tail=3.*since=1777629600\.5/);
    expect(await ask({ action: 'logs', containerId: 'tty' })).toEqual({ ok: true, data: { lines: [{ stream: 'stdout', text: 'tty line 1' }, { stream: 'stdout', text: 'tty line 2' }] } });
  });

  it('follow: acknowledged once open, lines in chunks, stopped by docker_logs_stop; ended by the engine → container_logs_end', async () => {
    const res = await ask({ action: 'logs', containerId: 'web', options: { follow: true, streamId: STREAM, tail: 10 } });
    expect(res).toEqual({ ok: true, data: { lines: [] } });
    await waitFor(() => owner.chunks.length > 0, 'the first chunk');
    expect(owner.chunks[0]).toEqual({ streamId: STREAM, containerId: 'web', lines: [{ stream: 'stdout', text: 'out 1' }, { stream: 'stderr', text: 'err 1' }] });
    engine.follow!.write(frame(1, 'later\n'));
    await waitFor(() => owner.chunks.flatMap((c) => c.lines).some((l) => l.text === 'later'), 'a line printed after subscribing');
    expect(executor.streamCount).toBe(1);
    // The same id again is refused; someone else's stop is ignored; ours stops it.
    expect(await ask({ action: 'logs', containerId: 'web', options: { follow: true, streamId: STREAM } })).toMatchObject({ ok: false, error: 'bad_request' });
    executor.stopStream(new Owner(), { streamId: STREAM });
    expect(executor.streamCount).toBe(1);
    executor.stopStream(owner, { streamId: STREAM });
    expect(executor.streamCount).toBe(0);
    expect(owner.ends).toEqual([]);

    await ask({ action: 'logs', containerId: 'web', options: { follow: true, streamId: STREAM } });
    await waitFor(() => engine.follow !== null, 'the engine stream');
    engine.follow!.end();
    await waitFor(() => owner.ends.length === 1, 'container_logs_end');
    expect(owner.ends[0]).toEqual({ streamId: STREAM, containerId: 'web', reason: 'ended' });
    expect(executor.streamCount).toBe(0);
  });

  it('follow: bounded number of streams; the connection going away stops its streams', async () => {
    const ex = make({ maxStreams: 1 });
    await expect(ask({ action: 'logs', containerId: 'web', options: { follow: true, streamId: STREAM } }, ex)).resolves.toMatchObject({ ok: true });
    await expect(ask({ action: 'logs', containerId: 'web', options: { follow: true, streamId: STREAM.replace('0b', '1b') } }, ex))
      .resolves.toMatchObject({ ok: false, error: 'too_many_streams' });
    ex.detach(owner);
    expect(ex.streamCount).toBe(0);
    await ex.shutdown();
  });

  it('an engine that does not answer: timeout before the backend gives up; no engine: docker_unavailable', async () => {
    const started = Date.now();
    expect(await ask({ action: 'inspect', containerId: 'slow', answerWithinMs: 2500 })).toEqual({ ok: false, error: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await engine.stop();
    expect(await ask({ action: 'list' })).toMatchObject({ ok: false, error: 'docker_unavailable', message: expect.stringMatching(/^ENOENT/) });
    engine = new FakeEngine(); // for afterEach
    await engine.start();
  });

  it('forwards container events to the attached connections, through the lean client: dockerode is not loaded for them', async () => {
    const lean = new DockerEngine({ kind: 'socket', socketPath: engine.socket });
    let created = 0;
    const ex = make({ openEvents: (since) => lean.containerEvents(since), docker: () => (created++, createDockerode({ kind: 'socket', socketPath: engine.socket })) });
    ex.attach(owner);
    ex.start();
    await waitFor(() => owner.events.length === 1, 'the event');
    expect(owner.events[0]).toMatchObject({ containerId: WEB, name: 'web', action: 'die', exitCode: 3 });
    expect(created).toBe(0);
    await ask({ action: 'list' }, ex);
    await ask({ action: 'images' }, ex);
    expect(created).toBe(1);
    await ex.shutdown();
    lean.close();
    expect(engine.requests).toContain(`GET /events?filters=${encodeURIComponent('{"type":["container"]}')}`);
  });
});
