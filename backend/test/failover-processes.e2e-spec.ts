import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Redis } from 'ioredis';
import { waitFor } from './support/app';
import { createTestDatabase } from './support/db';
import { channelPrefixFor, connectTestRedis, TEST_REDIS_URL } from './support/redis';

const MAIN = resolve(__dirname, '../../dist/backend/main.js');
const AGENT = resolve(__dirname, '../../dist/agent/cli.js');

const freePort = () => new Promise<number>((done) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    srv.close(() => done(port));
  });
});

interface Proc { proc: ChildProcess; output: () => string }
function run(args: string[], env: Record<string, string>): Proc {
  let out = '';
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return { proc, output: () => out };
}

/**
 * Real processes only: two backends (one PostgreSQL database, the real Redis) and the real agent
 * started with `--url A,B`. Backend A is killed with SIGKILL: the agent fails over to B within
 * 10 s, and the database holds every sample's seq once, with no gap.
 */
describe('agent failover between two backend processes', () => {
  let redis: Redis | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;
  const procs: Proc[] = [];

  beforeAll(async () => {
    for (const f of [MAIN, AGENT]) if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" (npm test does it)`);
    redis = await connectTestRedis();
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    await pg?.end();
    await db?.drop();
    redis?.disconnect();
  });

  async function backend(): Promise<{ url: string; p: Proc }> {
    const port = await freePort();
    const p = run([MAIN], {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_CHANNEL_PREFIX: channelPrefixFor(db.url), PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: 'failover-secret-' + 'x'.repeat(40),
      CHATOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chatops-failover-')), SERVE_FRONTEND: 'false', LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      // The auth limit is shared through Redis with every test instance on it (one client address,
      // 127.0.0.1): the default 10 per minute would block registrations in the suites running beside.
      AUTH_RATE_LIMIT: '10000/60', AUTH_SESSION_RATE_LIMIT: '10000/60',
    });
    procs.push(p);
    await waitFor(() => p.output().includes('ChatOps is running') || p.proc.exitCode !== null, Boolean, 60_000, 'a backend to start');
    if (p.proc.exitCode !== null) throw new Error(`backend exited:\n${p.output()}`);
    return { url: `http://127.0.0.1:${port}`, p };
  }
  const post = async <T>(url: string, path: string, body: unknown, token?: string): Promise<T> => {
    const res = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  };

  it('SIGKILL of the agent\'s backend: the agent is on the other within 10 s, every seq stored once, no gap', async () => {
    const [a, b] = [await backend(), await backend()];
    const { accessToken } = await post<{ accessToken: string }>(a.url, '/auth/register', { username: 'failover', email: 'failover@example.test', password: 'failover password' });
    const server = await post<{ id: string }>(a.url, '/servers', { name: 'failover' }, accessToken);
    const key = await post<{ key: string }>(a.url, '/api-keys', { serverId: server.id }, accessToken);

    const agent = run([AGENT, '--url', `${a.url},${b.url}`, '--interval', '1', '--state-dir', mkdtempSync(join(tmpdir(), 'chatops-failover-agent-'))], {
      CHATOPS_API_KEY: key.key, CHATOPS_LOG_LEVEL: 'info',
    });
    procs.push(agent);
    const stored = async () => (await pg.query('SELECT count(*)::int AS n FROM metric_samples WHERE server_id = $1', [server.id])).rows[0].n as number;
    const holder = async () => (await pg.query('SELECT status, agent_generation FROM servers WHERE id = $1', [server.id])).rows[0] as { status: string; agent_generation: string };
    await waitFor(stored, (n) => n >= 3, 20_000, 'samples through A');
    const before = await holder();
    expect(before.status).toBe('online');

    const killedAt = Date.now();
    a.p.proc.kill('SIGKILL');
    // A newer generation: the agent registered again, on B (A is dead).
    await waitFor(holder, (h) => h.status === 'online' && Number(h.agent_generation) > Number(before.agent_generation), 10_000, 'the agent on B');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const atFailover = await stored();
    await waitFor(stored, (n) => n >= atFailover + 3, 15_000, 'samples through B');

    agent.proc.kill('SIGTERM');
    await new Promise((r) => agent.proc.once('exit', r));
    const { rows } = await pg.query('SELECT boot_ref, seq FROM metric_samples WHERE server_id = $1 ORDER BY boot_ref, seq', [server.id]);
    expect(new Set(rows.map((r) => r.boot_ref)).size).toBe(1); // one agent run: one boot
    const seqs = rows.map((r) => Number(r.seq));
    expect(new Set(seqs).size).toBe(seqs.length); // no duplicate
    expect(seqs[seqs.length - 1] - seqs[0] + 1).toBe(seqs.length); // no gap
  });
});
