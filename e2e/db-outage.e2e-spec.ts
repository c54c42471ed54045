import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, Socket } from 'socket.io-client';
import { LIVE_NAMESPACE, type LiveClientToServerEvents, type LiveServerToClientEvents, type SubscribeAck } from '@chatops/protocol';
import { until as waitUntil } from './support/http';
import { PrivatePostgres, startPrivatePostgres } from './support/postgres';
import { freePort, ROOT } from './support/processes';

/**
 * The built backend against a PostgreSQL this test freezes (SIGSTOP) and stops for real: every
 * route that needs the database answers 503 with Retry-After (never 401, never 500) within the
 * configured timeouts, /live says "unavailable", and everything works again when PostgreSQL is
 * back, without restarting the backend.
 */
const CONNECT_TIMEOUT_MS = 1500;
const QUERY_TIMEOUT_MS = 2000;
/** The longest any request may take while PostgreSQL is away: both timeouts, the client's 1 s grace, and slack for a loaded machine. */
const ANSWER_WITHIN_MS = CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + 1000 + 5000;

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
interface Answer { what: string; status: number; ms: number; retryAfter: string | null; body: { statusCode?: number; code?: string; message?: string; database?: string } }

describe('PostgreSQL outage (frozen, then stopped) with the real backend', () => {
  const pgDir = mkdtempSync(join(tmpdir(), 'chatops-outage-pg-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-outage-data-'));
  let pg: PrivatePostgres;
  let backend: ChildProcess;
  let out = '';
  let base: string;
  let access: string;
  let refresh: string;
  let serverId: string;
  let otherServerId: string;
  const sockets: LiveSocket[] = [];

  const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string) =>
    waitUntil(fn, ok, timeoutMs, what, () => `backend:\n${out.slice(-3000)}`);

  async function call(what: string, method: string, path: string, body?: unknown, token: string | null = access): Promise<Answer> {
    const started = Date.now();
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { what, status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : {} };
  }

  /** What a dashboard and a script do: authenticated reads and writes, login, refresh. */
  const everyKind = () => Promise.all([
    call('me', 'GET', '/api/v1/auth/me'),
    call('servers', 'GET', '/api/v1/servers'),
    call('server', 'GET', `/api/v1/servers/${serverId}`),
    call('history', 'GET', `/api/v1/metrics/${serverId}/history`),
    call('create server', 'POST', '/api/v1/servers', { name: `during-outage-${Date.now()}` }),
    call('login', 'POST', '/api/v1/auth/login', { username: 'outage_user', password: 'password1234' }, null),
    call('refresh', 'POST', '/api/v1/auth/refresh', { refreshToken: refresh }, null),
  ]);

  function expectUnavailable(answers: Answer[]): void {
    for (const a of answers) {
      expect({ what: a.what, status: a.status, code: a.body.code }).toEqual({ what: a.what, status: 503, code: 'database.unavailable' });
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.body.message).toMatch(/database/i);
      expect(a.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }
  }

  const liveSocket = (): LiveSocket => {
    const s: LiveSocket = io(`${base}${LIVE_NAMESPACE}`, { auth: { token: access }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    return s;
  };
  const connectLive = (s: LiveSocket) => new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  const subscribe = (s: LiveSocket, id = serverId) => s.timeout(ANSWER_WITHIN_MS).emitWithAck('subscribe', { serverId: id }) as Promise<SubscribeAck>;

  beforeAll(async () => {
    pg = await startPrivatePostgres(pgDir);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { DATABASE_URL: _ignored, ...env } = process.env;
    backend = spawn(process.execPath, [join(ROOT, 'dist/backend/main.js')], {
      env: {
        ...env, DATABASE_URL: pg.url, PORT: String(port), HOST: '127.0.0.1', CHATOPS_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn', LOG_FORMAT: 'json', SERVE_FRONTEND: 'false',
        DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS), DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    backend.stdout!.on('data', (d) => (out += d));
    backend.stderr!.on('data', (d) => (out += d));
    await until(async () => out, (o) => o.includes('ChatOps is running'), 60_000, 'the backend to start');
    // The first user is the admin; this test acts as a second, ordinary user.
    await call('admin', 'POST', '/api/v1/auth/register', { email: 'admin@example.test', username: 'outage_admin', password: 'password1234' }, null);
    const reg = await call('register', 'POST', '/api/v1/auth/register', { email: 'outage@example.test', username: 'outage_user', password: 'password1234' }, null);
    const tokens = reg.body as unknown as { accessToken: string; refreshToken: string };
    access = tokens.accessToken;
    refresh = tokens.refreshToken;
    serverId = ((await call('create', 'POST', '/api/v1/servers', { name: 'outage' })).body as unknown as { id: string }).id;
    otherServerId = ((await call('create', 'POST', '/api/v1/servers', { name: 'outage-2' })).body as unknown as { id: string }).id;
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    pg?.thaw();
    if (backend && backend.exitCode === null) {
      const exited = new Promise((r) => backend.once('exit', r));
      backend.kill('SIGTERM');
      await exited;
    }
    await pg?.stop();
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while PostgreSQL is frozen, and recovers when it resumes', async () => {
    const live = liveSocket();
    await connectLive(live);
    expect((await subscribe(live)).ok).toBe(true);

    pg.freeze();
    try {
      expectUnavailable(await everyKind());
      // A second round meets the pool's stuck connections and the connect timeout: still bounded.
      expectUnavailable(await everyKind());
      const ready = await call('ready', 'GET', '/health/ready', undefined, null);
      expect({ status: ready.status, database: ready.body.database }).toEqual({ status: 503, database: 'down' });
      expect((await call('live', 'GET', '/health', undefined, null)).status).toBe(200);
      // Browsers: a subscription cannot be checked, a new connection cannot be authenticated.
      expect(await subscribe(live, otherServerId)).toEqual({ ok: false, error: 'unavailable' });
      const late = liveSocket();
      await expect(connectLive(late)).rejects.toThrow('unavailable');
      expect(out).not.toMatch(/"level":50[^\n]*Unhandled error/);
    } finally {
      pg.thaw();
    }

    // Recovery without a restart; the refresh token was not consumed by the failed attempt.
    await until(() => call('me', 'GET', '/api/v1/auth/me'), (a) => a.status === 200, 30_000, 'GET /auth/me to work again');
    const servers = await call('servers', 'GET', '/api/v1/servers');
    expect(servers.status).toBe(200);
    expect(await subscribe(live, otherServerId)).toEqual({ ok: true });
    const rotated = await call('refresh', 'POST', '/api/v1/auth/refresh', { refreshToken: refresh }, null);
    expect(rotated.status).toBe(200);
    refresh = (rotated.body as unknown as { refreshToken: string }).refreshToken;
    expect((await call('ready', 'GET', '/health/ready', undefined, null)).status).toBe(200);
  }, 120_000);

  it('answers 503 with Retry-After while PostgreSQL is stopped, and recovers when it is started again', async () => {
    const port = pg.port;
    await pg.stop();
    const answers = await everyKind();
    expectUnavailable(answers);
    // Nothing listens: the answer is immediate, not a timeout.
    for (const a of answers) expect(a.ms).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
    expect((await call('ready', 'GET', '/health/ready', undefined, null)).status).toBe(503);

    pg = await startPrivatePostgres(pgDir, port);
    await until(() => call('me', 'GET', '/api/v1/auth/me'), (a) => a.status === 200, 30_000, 'GET /auth/me to work again');
    for (const a of await Promise.all([
      call('servers', 'GET', '/api/v1/servers'),
      call('login', 'POST', '/api/v1/auth/login', { username: 'outage_user', password: 'password1234' }, null),
      call('refresh', 'POST', '/api/v1/auth/refresh', { refreshToken: refresh }, null),
      call('ready', 'GET', '/health/ready', undefined, null),
    ])) {
      expect({ what: a.what, status: a.status }).toEqual({ what: a.what, status: 200 });
    }
    expect(backend.exitCode).toBeNull();
  }, 120_000);
});
