import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { apiClient, until as waitUntil } from './support/http';
import { PrivatePostgres, startPrivatePostgres } from './support/postgres';
import { freePort, ROOT, startAgent } from './support/processes';

/**
 * The real agent process against the real backend and a PostgreSQL we can stop: nothing is lost
 * when the backend is killed, when PostgreSQL is down, and a revoked key disconnects.
 */
describe('agent ↔ backend resilience (real processes)', () => {
  let pgDir: string;
  let pg: PrivatePostgres;
  let backend: ChildProcess | null = null;
  let backendOut = '';
  let agent: ReturnType<typeof startAgent> | null = null;
  let port: number;
  let db: Client;
  let base: string;
  let serverId: string;
  let keyId: string;
  let auth: { Authorization: string };
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-res-data-'));

  const startPg = async () => { pg = await startPrivatePostgres(pgDir, pg?.port); };
  const startBackend = async () => {
    backendOut = '';
    backend = spawn(process.execPath, [join(ROOT, 'dist/backend/main.js')], {
      env: { ...process.env, DATABASE_URL: pg.url, PORT: String(port), HOST: '127.0.0.1', CHATOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', SERVE_FRONTEND: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    backend.stdout!.on('data', (d) => (backendOut += d));
    backend.stderr!.on('data', (d) => (backendOut += d));
    const deadline = Date.now() + 60_000;
    while (!backendOut.includes('ChatOps is running')) {
      if (Date.now() > deadline || backend.exitCode !== null) throw new Error(`backend did not start:\n${backendOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const killBackend = async (signal: NodeJS.Signals) => {
    const b = backend!;
    if (b.exitCode === null && b.signalCode === null) {
      const exited = new Promise((r) => b.once('exit', r));
      b.kill(signal);
      await exited;
    }
  };
  const api = apiClient(() => base, () => auth);
  const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> =>
    waitUntil(fn, ok, timeoutMs, what, () => `backend:\n${backendOut.slice(-2000)}\nagent:\n${agent?.output().slice(-2000)}`);
  const seqs = async (): Promise<number[]> => {
    const r = await db.query(
      `SELECT s.seq::int FROM metric_samples s JOIN agent_boots b ON b.id = s.boot_ref WHERE s.server_id = $1 ORDER BY s.seq`,
      [serverId],
    );
    return r.rows.map((x) => x.seq);
  };
  const expectNoGap = (list: number[]) => {
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list).size).toBe(list.length);
    expect(list[list.length - 1] - list[0] + 1).toBe(list.length);
  };

  beforeAll(async () => {
    pgDir = mkdtempSync(join(tmpdir(), 'chatops-res-pg-'));
    await startPg();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startBackend();
    db = new Client({ connectionString: pg.url });
    await db.connect();
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'res@example.test', username: 'resilience', password: 'password1234' }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);
    auth = { Authorization: `Bearer ${reg.accessToken}` };
    serverId = (await api('POST', '/servers', { name: 'resilient' })).body.id;
    const key = (await api('POST', '/api-keys', { serverId })).body;
    keyId = key.id;
    agent = startAgent(base, key.key);
  });

  afterAll(async () => {
    await agent?.stop();
    if (backend) await killBackend('SIGTERM');
    await db?.end().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the real agent\'s samples and shows the server online', async () => {
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body.status === 'online' && !!r.body.agent, 15_000, 'online');
    await until(seqs, (s) => s.length >= 3, 15_000, 'three samples');
    const latest = await api('GET', `/metrics/${serverId}`);
    expect(latest.status).toBe(200);
    expect(latest.body.sample.cpu.cores).toBeGreaterThan(0);
  });

  it('loses nothing when the backend is killed (SIGKILL) and restarted while the agent runs', async () => {
    const before = (await seqs()).length;
    await killBackend('SIGKILL');
    // The agent keeps sampling into its buffer (written to disk once a sample stays unacknowledged).
    const buffered = await until(async () => agent!.buffered(), (n) => n >= 3, 30_000, 'samples buffered by the agent');
    await startBackend();
    const after = await until(seqs, (s) => s.length >= before + buffered + 3, 60_000, 'replayed and new samples');
    expectNoGap(after);
  }, 120_000);

  it('loses nothing when PostgreSQL is down', async () => {
    const before = await seqs();
    await db.end();
    await pg.stop();
    // Down long enough for the agent to hold a backlog it must replay.
    const buffered = await until(async () => agent!.buffered(), (n) => n >= 8, 60_000, 'samples buffered during the outage');
    await startPg();
    db = new Client({ connectionString: pg.url });
    await db.connect();
    const after = await until(seqs, (s) => s.length >= before.length + buffered + 2, 60_000, 'samples from the outage');
    expectNoGap(after);
    expect(after[0]).toBe(before[0]);
  }, 180_000);

  it('disconnects the agent when its key is deactivated, and marks the server offline', async () => {
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body.status === 'online', 30_000, 'online again');
    expect((await api('POST', `/api-keys/${keyId}/deactivate`)).status).toBe(200);
    // Pushed at once: far within the 60 s periodic key re-check.
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body.status === 'offline', 20_000, 'offline');
    const events = await db.query(`SELECT event, detail FROM connection_events WHERE server_id = $1 AND event = 'disconnected' ORDER BY id DESC LIMIT 1`, [serverId]);
    expect(events.rows).toHaveLength(1);
    await until(async () => agent!.output(), (o) => /revoked|unauthorized/i.test(o), 10_000, 'the agent to log the revocation');
  }, 60_000);
});
