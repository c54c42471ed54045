import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../src/database/embedded-postgres';
import { MAINTENANCE_NICE } from '../src/database/maintenance-priority';
import { connectAgent, makeHello, makeSample, sendMetrics } from './support/agent-client';

/**
 * `npm start`'s server process as a user runs it: the built dist/backend/main.js with an embedded
 * PostgreSQL under the data dir. (`npm test` builds it first; see scripts/test.js.)
 */
const MAIN = resolve(__dirname, '../../dist/backend/main.js');
const PSQL = resolve(__dirname, '../../dist/backend/database/psql.js');

interface Run { proc: ChildProcess; output: () => string; exited: Promise<number | null> }

/** `detached`: in a process group of its own, like a terminal's foreground job (see ctrlC). */
function start(env: Record<string, string>): Run {
  let out = '';
  const { DATABASE_URL: _ignored, ...base } = process.env;
  const proc = spawn(process.execPath, [MAIN], { env: { ...base, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}

async function until(run: Run, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.proc.exitCode !== null) throw new Error(`did not see "${text}"; output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Running (a zombie has exited: only its new parent, init, has not collected it yet). */
const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** Ctrl-C in a terminal: SIGINT to every process of the foreground job's process group. */
const ctrlC = (run: Run) => process.kill(-run.proc.pid!, 'SIGINT');

async function waitUntil(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const postmasterPid = (dataDir: string) => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const owner = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'pg.owner.json'), 'utf8')) as { backendPid: number; postmasterPid: number; watchdogPid: number };

async function json<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

interface Tokens { accessToken: string; refreshToken: string }

/**
 * Every secret a session handles, through the routes that carry them: register, login, refresh,
 * password change, an authenticated read, an API key created and used by an agent connection.
 * Returns the values that must never appear in a log.
 */
async function handleSecrets(base: string, username: string): Promise<string[]> {
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const newPassword = `pw2-${randomBytes(6).toString('hex')}`;
  const reg = await json<Tokens>(base, 'POST', '/api/v1/auth/register', { email: `${username}@example.test`, username, password });
  expect(reg.status).toBe(201);
  const login = await json<Tokens>(base, 'POST', '/api/v1/auth/login', { username, password });
  expect(login.status).toBe(200);
  const refreshed = await json<Tokens>(base, 'POST', '/api/v1/auth/refresh', { refreshToken: login.body.refreshToken });
  expect(refreshed.status).toBe(200);
  expect((await json(base, 'GET', '/api/v1/auth/me', undefined, refreshed.body.accessToken)).status).toBe(200);
  const server = await json<{ id: string }>(base, 'POST', '/api/v1/servers', { name: `srv-${username}` }, refreshed.body.accessToken);
  const key = await json<{ key: string }>(base, 'POST', '/api/v1/api-keys', { serverId: server.body.id }, refreshed.body.accessToken);
  expect(key.status).toBe(201);
  expect((await fetch(`${base}/api/v1/api-keys/me`, { headers: { 'x-api-key': key.body.key } })).status).toBe(200);
  const agent = await connectAgent(base, key.body.key);
  agent.close();
  const changed = await json<Tokens>(base, 'POST', '/api/v1/auth/change-password', { currentPassword: password, newPassword }, refreshed.body.accessToken);
  expect(changed.status).toBe(200);
  return [password, newPassword, reg.body.accessToken, reg.body.refreshToken, login.body.accessToken, login.body.refreshToken,
    refreshed.body.accessToken, refreshed.body.refreshToken, changed.body.accessToken, changed.body.refreshToken, key.body.key];
}

describe('server process (npm start)', () => {
  let dataDir: string;
  const runs: Run[] = [];
  const launch = (env: Record<string, string>) => { const r = start(env); runs.push(r); return r; };

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it)`);
    dataDir = mkdtempSync(join(tmpdir(), 'chatops-start-'));
  });
  afterAll(async () => {
    for (const r of runs) if (r.proc.exitCode === null) { r.proc.kill('SIGINT'); await r.exited; }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL, serves the API, stops cleanly on SIGINT and reuses the data', async () => {
    const port = await findFreePort();
    const env = { CHATOPS_DATA_DIR: dataDir, PORT: String(port) };
    // At info every 2xx request is logged: the level where a leaked header or body would show.
    const first = launch({ ...env, LOG_LEVEL: 'info' });
    await until(first, `http://localhost:${port}/`);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'keep@example.test', username: 'keeper', password: 'password123' }),
    });
    expect(reg.status).toBe(201);
    const { refreshToken, accessToken } = (await reg.json()) as { refreshToken: string; accessToken: string };
    const handled = await handleSecrets(base, 'secretive');
    // The start names where the database is, never with its password.
    const pgPassword = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
    expect(first.output()).toMatch(/Database: postgres:\/\/chatops@127\.0\.0\.1:\d+\/chatops \(password in .*pg-password/);

    // npm run db:psql reaches the running cluster.
    const psql = spawnSync(process.execPath, [PSQL, '-tAc', 'SELECT username FROM users ORDER BY username'], { env: { ...process.env, DATABASE_URL: '', CHATOPS_DATA_DIR: dataDir }, encoding: 'utf8' });
    expect({ status: psql.status, out: psql.stdout.trim().split('\n') }).toEqual({ status: 0, out: ['keeper', 'secretive'] });
    expect(psql.stderr + psql.stdout).not.toContain(pgPassword);

    // The maintenance pool's PostgreSQL processes (rollups, retention) run at the lowest CPU
    // priority, the request pool's at the normal one. A maintenance connection is open at least
    // while a rollup pass runs (every 30 s); it is niced when first handed out.
    const niceOf = async () => {
      for (const deadline = Date.now() + 40_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        const out = spawnSync(process.execPath, [PSQL, '-tAc', "SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE 'chatops%'"], { env: { ...process.env, DATABASE_URL: '', CHATOPS_DATA_DIR: dataDir }, encoding: 'utf8' }).stdout;
        // A connection can close between the query and the look-up (a pool retiring an idle one): skipped.
        const rows = out.trim().split('\n').filter(Boolean).map((l) => l.split('|')).flatMap(([pid, app]) => {
          try {
            return [{ app, nice: getPriority(Number(pid)) }];
          } catch {
            return [];
          }
        });
        if (rows.some((r) => r.app === 'chatops-maintenance' && r.nice === MAINTENANCE_NICE)) return rows;
      }
      throw new Error('no maintenance connection at the lowest CPU priority within 40 s');
    };
    const sessions = await niceOf();
    expect(new Set(sessions.filter((r) => r.app === 'chatops-maintenance').map((r) => r.nice))).toEqual(new Set([MAINTENANCE_NICE]));
    expect(sessions.filter((r) => r.app === 'chatops').map((r) => r.nice)).toContain(0);
    expect(new Set(sessions.filter((r) => r.app === 'chatops').map((r) => r.nice))).toEqual(new Set([0]));

    const secretFile = join(dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const postmaster = postmasterPid(dataDir);
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(pidAlive(postmaster)).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    // Requests were logged (the check below looks at real request lines), no secret was.
    expect(first.output()).toMatch(/"msg":"request completed"/);
    for (const s of [secret, pgPassword, refreshToken, accessToken, 'password123', ...handled]) expect(first.output()).not.toContain(s);

    const second = launch(env);
    await until(second, `http://localhost:${port}/`);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'keeper', password: 'password123' }),
    });
    expect(login.status).toBe(200);
    expect(second.output()).not.toContain('Initialising');

    // a second instance on the same data dir is refused with a clear message, and leaves the first alone
    const running = postmasterPid(dataDir);
    const third = launch({ CHATOPS_DATA_DIR: dataDir, PORT: String(await findFreePort()) });
    expect(await third.exited).toBe(1);
    expect(third.output()).toMatch(/already in use by process \d+ started by process \d+, which is still running/);
    expect(pidAlive(running)).toBe(true);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);

  it('removes a stale lock left by a killed PostgreSQL and starts', async () => {
    writeFileSync(join(dataDir, 'pg', 'postmaster.pid'), '999999\n/tmp\n');
    const port = await findFreePort();
    const run = launch({ CHATOPS_DATA_DIR: dataDir, PORT: String(port) });
    await until(run, `http://localhost:${port}/`);
    expect(run.output()).toContain('Removing stale PostgreSQL lock');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 60_000);

  /** A fresh data dir, removed after the file. */
  const dirs: string[] = [];
  const freshDir = () => { const d = mkdtempSync(join(tmpdir(), 'chatops-start-')); dirs.push(d); return d; };
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  async function up(dir: string, env: Record<string, string> = {}) {
    const port = await findFreePort();
    const run = launch({ CHATOPS_DATA_DIR: dir, PORT: String(port), ...env });
    await until(run, `http://localhost:${port}/`, 60_000);
    return { run, base: `http://127.0.0.1:${port}` };
  }
  const login = (base: string, username: string) => json<Tokens>(base, 'POST', '/api/v1/auth/login', { username, password: 'password123' });

  it('on Ctrl-C saves the latest samples before its PostgreSQL stops, so the next start serves them', async () => {
    const dir = freshDir();
    const first = await up(dir);
    const user = await json<Tokens>(first.base, 'POST', '/api/v1/auth/register', { email: 'ctrlc@example.test', username: 'ctrlc', password: 'password123' });
    const server = await json<{ id: string }>(first.base, 'POST', '/api/v1/servers', { name: 'kept' }, user.body.accessToken);
    const key = await json<{ key: string }>(first.base, 'POST', '/api/v1/api-keys', { serverId: server.body.id }, user.body.accessToken);
    const agent = await connectAgent(first.base, key.body.key);
    const bootId = randomUUID();
    agent.socket.emit('hello', makeHello({ bootId }));
    // The latest sample is saved every 30 s and at shutdown: only the shutdown can have saved this one.
    expect(await sendMetrics(agent.socket, makeSample(1, bootId, { cpu: { percent: 77.7 } }))).toEqual({ ok: true, seq: 1 });
    ctrlC(first.run); // the whole foreground job gets SIGINT, as in a terminal
    expect(await first.run.exited).toBe(0);
    agent.close();
    expect(first.run.output()).not.toMatch(/Could not persist latest samples|Could not mark server offline/);

    const second = await up(dir);
    const latest = await json<{ sample: { seq: number; cpu: { percent: number } } }>(second.base, 'GET', `/api/v1/metrics/${server.body.id}`, undefined, user.body.accessToken);
    expect({ status: latest.status, seq: latest.body.sample?.seq, cpu: latest.body.sample?.cpu.percent }).toEqual({ status: 200, seq: 1, cpu: 77.7 });
    const srv = await json<{ status: string }>(second.base, 'GET', `/api/v1/servers/${server.body.id}`, undefined, user.body.accessToken);
    expect(srv.body.status).toBe('offline');
    ctrlC(second.run);
    expect(await second.run.exited).toBe(0);
  }, 120_000);

  it('after the backend is killed (SIGKILL) its PostgreSQL stops by itself and the next start comes up', async () => {
    const dir = freshDir();
    const first = await up(dir);
    expect((await json(first.base, 'POST', '/api/v1/auth/register', { email: 'k@example.test', username: 'killed', password: 'password123' })).status).toBe(201);
    const postmaster = postmasterPid(dir);
    first.run.proc.kill('SIGKILL');
    await first.run.exited;
    await waitUntil('the postmaster of the killed backend to exit', () => !pidAlive(postmaster), 60_000);

    const second = await up(dir);
    expect(second.run.output()).not.toMatch(/already in use|orphaned/);
    expect((await login(second.base, 'killed')).status).toBe(200);
    second.run.proc.kill('SIGTERM');
    expect(await second.run.exited).toBe(0);
  }, 120_000);

  it('a start stops a PostgreSQL orphaned by a killed backend (watchdog gone too) and comes up', async () => {
    const dir = freshDir();
    const first = await up(dir);
    expect((await json(first.base, 'POST', '/api/v1/auth/register', { email: 'o@example.test', username: 'orphaned', password: 'password123' })).status).toBe(201);
    const { postmasterPid: orphan, watchdogPid, backendPid } = owner(dir);
    expect(backendPid).toBe(first.run.proc.pid);
    process.kill(watchdogPid, 'SIGKILL');
    first.run.proc.kill('SIGKILL');
    await first.run.exited;
    await waitUntil('the watchdog to be gone', () => !pidAlive(watchdogPid));
    expect(pidAlive(orphan)).toBe(true); // nothing stopped it: the situation `npm start` used to refuse

    const second = await up(dir);
    expect(second.run.output()).toContain(`Stopping the orphaned embedded PostgreSQL (process ${orphan})`);
    expect(second.run.output()).toContain(`the backend that started it (process ${backendPid}) is gone`);
    expect(pidAlive(orphan)).toBe(false);
    expect((await login(second.base, 'orphaned')).status).toBe(200);
    second.run.proc.kill('SIGINT');
    expect(await second.run.exited).toBe(0);

    // npm run db:psql says how to connect while nothing runs, without the password.
    const psql = spawnSync(process.execPath, [PSQL, '-c', 'SELECT 1'], { env: { ...process.env, DATABASE_URL: '', CHATOPS_DATA_DIR: dir }, encoding: 'utf8' });
    expect(psql.status).toBe(1);
    expect(psql.stderr).toContain('is not running');
    expect(psql.stderr).toContain(`password in ${join(dir, 'pg-password')}`);
    expect(psql.stderr).not.toContain(readFileSync(join(dir, 'pg-password'), 'utf8').trim());
  }, 120_000);

  it('logs no secret at debug level either', async () => {
    const dir = freshDir();
    const { run, base } = await up(dir, { LOG_LEVEL: 'debug' });
    const handled = await handleSecrets(base, 'debugger');
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const out = run.output();
    expect(out).toMatch(/"msg":"request completed"/);
    const stored = ['jwt-secret', 'pg-password'].map((f) => readFileSync(join(dir, f), 'utf8').trim());
    for (const secret of [...handled, ...stored]) expect(out).not.toContain(secret);
  }, 90_000);

  it('explains a port that is in use', async () => {
    const blocker: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((r) => blocker.listen(port, '0.0.0.0', r));
    try {
      const run = launch({ CHATOPS_DATA_DIR: dataDir, PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`Port ${port} is already in use`);
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('applies and reverts migrations with the db:migrate / db:revert CLI', async () => {
    const { createTestDatabase } = await import('./support/db');
    const { Client } = await import('pg');
    const empty = await createTestDatabase();
    const admin = new Client({ connectionString: empty.url });
    await admin.connect();
    try {
      // start from an empty schema: drop what the template had
      await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const cli = (cmd: string) => new Promise<{ code: number | null; out: string }>((res) => {
        let out = '';
        const p = spawn(process.execPath, [resolve(__dirname, '../../dist/backend/database/cli.js'), cmd], { env: { ...process.env, DATABASE_URL: empty.url } });
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', (code) => res({ code, out }));
      });
      const { MIGRATIONS } = await import('../src/database/migrations');
      const all = MIGRATIONS.map((M) => new M().name);
      const applied = async () => (await admin.query('SELECT name FROM migrations ORDER BY id')).rows.map((r) => r.name);
      const rollupTable = async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'metric_rollup_1h'`)).rows[0].n;
      const first = await cli('migrate');
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/Applied \d+ migration/);
      expect(await applied()).toEqual(all);
      expect(await rollupTable()).toBe(1);
      expect((await cli('migrate')).out).toContain('No pending migrations');
      const revert = await cli('revert');
      expect(revert.code).toBe(0);
      expect(await applied()).toEqual(all.slice(0, -1)); // the newest one only
      expect((await cli('migrate')).out).toMatch(/Applied 1 migration/);
      expect(await applied()).toEqual(all);
      expect((await cli('sideways')).code).toBe(2);
    } finally {
      await admin.end();
      await empty.drop();
    }
  }, 60_000);

  it('lists every invalid variable and exits 1', async () => {
    const run = launch({ CHATOPS_DATA_DIR: dataDir, PORT: 'eighty', JWT_SECRET: 'short', AUTH_RATE_LIMIT: 'lots', DATABASE_URL: 'mysql://x' });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain('Invalid configuration');
    for (const v of ['PORT', 'JWT_SECRET', 'AUTH_RATE_LIMIT', 'DATABASE_URL']) expect(out).toContain(v);
    expect(out).not.toContain('short');
  });
});
