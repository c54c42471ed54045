import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { collect, connectLive, LiveClient } from './support/live-client';
import { channelPrefixFor, TEST_REDIS_URL } from './support/redis';
import { InstancePair, startInstancePair } from './support/instances';

const MAIN = resolve(__dirname, '../../dist/backend/main.js');
/** AGENT_STALE_INTERVALS (3, the default) × the agents' 5 s interval. */
const STALE_WINDOW_MS = 15_000;

const freePort = () => new Promise<number>((done) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    srv.close(() => done(port));
  });
});

/**
 * A backend instance that dies (SIGKILL: no shutdown hook runs) with agents attached: the other
 * instances (two here, both sweeping) mark its servers offline within the stale window, each
 * server once. The dying instance is a real `node dist/backend/main.js` process on the same
 * PostgreSQL database and Redis as the two in-process ones.
 */
describe('an instance that dies with agents attached', () => {
  let pair: InstancePair | undefined;
  let redis: Redis | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let doomed: ChildProcess | undefined;
  let output = '';
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it)`);
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b, redis } = pair);
    alice = await registerUser(a);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const live of lives) live.close();
    if (doomed?.exitCode === null) doomed.kill('SIGKILL');
    await pair?.close();
  });

  it('has its servers marked offline by the others within the stale window, each once', async () => {
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...env } = process.env;
    doomed = spawn(process.execPath, [MAIN], {
      env: {
        ...env, DATABASE_URL: a.dbUrl, REDIS_URL: TEST_REDIS_URL, REDIS_CHANNEL_PREFIX: channelPrefixFor(a.dbUrl), PORT: String(port), HOST: '127.0.0.1',
        JWT_SECRET: 'test-secret-' + 'x'.repeat(40), CHATOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chatops-doomed-')),
        SERVE_FRONTEND: 'false', LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
        // Shared through Redis with every test instance (one client address): see support/app.ts.
        AUTH_RATE_LIMIT: '10000/60', AUTH_SESSION_RATE_LIMIT: '10000/60',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    doomed.stdout!.on('data', (d) => (output += d));
    doomed.stderr!.on('data', (d) => (output += d));
    await waitFor(() => output.includes('ChatOps is running') || doomed!.exitCode !== null, Boolean, 60_000, 'the third instance to start');
    expect(doomed.exitCode).toBeNull();
    const doomedUrl = `http://127.0.0.1:${port}`;

    const servers = [await provisionServer(a, alice), await provisionServer(a, alice)];
    const live = await connectLive(b.baseUrl, alice.accessToken);
    lives.push(live);
    const statuses = collect(live, 'server_status');
    for (const { server, key } of servers) {
      expect(await live.timeout(5000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
      const agent = await connectAgent(doomedUrl, key.key); // no reconnection: these agents stay away
      agents.push(agent);
      const hello = makeHello();
      agent.socket.emit('hello', hello);
      expect(await sendMetrics(agent.socket, makeSample(1, hello.bootId))).toMatchObject({ ok: true });
    }
    const ids = servers.map((s) => s.server.id);
    const statusOf = async () => (await a.db.query('SELECT id, status FROM servers WHERE id = ANY($1::uuid[]) ORDER BY id', [ids])).rows.map((r) => r.status);
    expect(await statusOf()).toEqual(['online', 'online']);

    const killedAt = Date.now();
    doomed.kill('SIGKILL');
    await waitFor(statusOf, (s) => s.every((x) => x === 'offline'), STALE_WINDOW_MS, 'the dead instance\'s servers to be marked offline');
    expect(Date.now() - killedAt).toBeLessThan(STALE_WINDOW_MS);

    // Announced once per server to the browser on B, though both A and B sweep (wait one more sweep).
    await waitFor(() => statuses.filter((s) => s.status === 'offline').length, (n) => n >= 2, 5000, 'the offline statuses');
    await new Promise((r) => setTimeout(r, 6000));
    for (const id of ids) expect(statuses.filter((s) => s.serverId === id && s.status === 'offline')).toHaveLength(1);
  });
});
