import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../src/database/embedded-postgres';

/**
 * `npm start`'s server process as a user runs it: the built dist/backend/main.js with an embedded
 * PostgreSQL under the data dir. (`npm test` builds it first; see scripts/test.js.)
 */
const MAIN = resolve(__dirname, '../../dist/backend/main.js');

interface Run { proc: ChildProcess; output: () => string; exited: Promise<number | null> }

function start(env: Record<string, string>): Run {
  let out = '';
  const { DATABASE_URL: _ignored, ...base } = process.env;
  const proc = spawn(process.execPath, [MAIN], { env: { ...base, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

const pidAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

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
    const first = launch(env);
    await until(first, `http://localhost:${port}/`);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'keep@example.test', username: 'keeper', password: 'password123' }),
    });
    expect(reg.status).toBe(201);
    const { refreshToken } = (await reg.json()) as { refreshToken: string };

    const secretFile = join(dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(pidAlive(postmaster)).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    // no secret ever reaches the logs
    for (const s of [secret, refreshToken, 'password123']) expect(first.output()).not.toContain(s);

    const second = launch(env);
    await until(second, `http://localhost:${port}/`);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'keeper', password: 'password123' }),
    });
    expect(login.status).toBe(200);
    expect(second.output()).not.toContain('Initialising');

    // a second instance on the same data dir is refused with a clear message
    const third = launch({ CHATOPS_DATA_DIR: dataDir, PORT: String(await findFreePort()) });
    expect(await third.exited).toBe(1);
    expect(third.output()).toMatch(/already in use by process \d+/);

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
