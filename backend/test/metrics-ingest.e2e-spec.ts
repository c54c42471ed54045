import { Client } from 'pg';
import type { MetricsSample } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import {
  connectAgent, makeHello, makeSample, provisionServer, sendBatch, sendMetrics, TestAgent,
} from './support/agent-client';

const adminQuery = async (sql: string, params: unknown[] = []) => {
  const admin = new Client({ connectionString: process.env.CHATOPS_TEST_ADMIN_URL });
  await admin.connect();
  try {
    return await admin.query(sql, params);
  } finally {
    await admin.end();
  }
};

const dbName = (url: string) => new URL(url).pathname.slice(1);

/** Ingest as an agent experiences it: acks mean "stored", replays are harmless, outages lose nothing. */
describe('metrics ingest', () => {
  let t: TestApp;
  let user: TestUser;
  const open: TestAgent[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t);
  });
  afterEach(() => { for (const a of open.splice(0)) a.close(); });
  afterAll(async () => { await t?.close(); });

  async function agentFor(tt = t) {
    const { server, key } = await provisionServer(tt, user);
    const agent = await connectAgent(tt.baseUrl, key.key);
    open.push(agent);
    const hello = makeHello({ intervalSec: 1 });
    agent.socket.emit('hello', hello);
    return { agent, server, key, bootId: hello.bootId };
  }
  const stored = async (serverId: string, db = t.db) =>
    (await db.query('SELECT s.seq::int AS seq, b.boot_id FROM metric_samples s JOIN agent_boots b ON b.id = s.boot_ref WHERE s.server_id = $1 ORDER BY s.seq', [serverId])).rows as { seq: number; boot_id: string }[];

  it('acknowledges only once the sample is durable and readable', async () => {
    const { agent, server, bootId } = await agentFor();
    for (let seq = 0; seq < 5; seq++) {
      const sample = makeSample(seq, bootId, { cpu: { percent: 10 + seq } });
      expect(await sendMetrics(agent.socket, sample)).toEqual({ ok: true, seq });
      // Right after the ack, both the REST API and the table already see it.
      const latest = await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(200);
      expect(latest.body).toMatchObject({ serverId: server.id, timestamp: sample.timestamp, sample: { seq, bootId, cpu: { percent: 10 + seq } } });
      const row = await t.db.query('SELECT cpu, mem, disk, load1, net_rx, net_tx, swap FROM metric_samples WHERE server_id = $1 AND seq = $2', [server.id, seq]);
      expect(row.rows).toHaveLength(1);
      expect(row.rows[0]).toMatchObject({ cpu: 10 + seq, mem: 25, disk: 40, load1: 0.5, net_rx: 1000, net_tx: 2000, swap: 10 });
    }
    await t.http().get(`/api/v1/metrics/${server.id}/latest`).set(user.auth).expect(200);
  });

  it('stores a replayed (bootId, seq) once; a new boot starts its own sequence', async () => {
    const { agent, server, bootId } = await agentFor();
    const sample = makeSample(7, bootId);
    expect(await sendMetrics(agent.socket, sample)).toEqual({ ok: true, seq: 7 });
    expect(await sendMetrics(agent.socket, sample)).toEqual({ ok: true, seq: 7 });
    expect(await sendMetrics(agent.socket, { ...sample, cpu: { ...sample.cpu, percent: 99 } })).toEqual({ ok: true, seq: 7 });
    const rebooted = makeHello().bootId;
    expect(await sendMetrics(agent.socket, makeSample(7, rebooted))).toEqual({ ok: true, seq: 7 });
    const rows = await stored(server.id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.boot_id))).toEqual(new Set([bootId, rebooted]));
    // The first stored value wins; the replay did not overwrite it.
    const cpu = await t.db.query('SELECT cpu FROM metric_samples s JOIN agent_boots b ON b.id = s.boot_ref WHERE b.boot_id = $1', [bootId]);
    expect(cpu.rows[0].cpu).toBe(12.5);
  });

  it('metricsBatch acks count only newly stored samples', async () => {
    const { agent, server, bootId } = await agentFor();
    for (const seq of [1, 3]) await sendMetrics(agent.socket, makeSample(seq, bootId));
    const batch = [0, 1, 2, 3, 4, 4].map((seq) => makeSample(seq, bootId));
    expect(await sendBatch(agent.socket, batch)).toEqual({ ok: true, stored: 3 });
    expect(await sendBatch(agent.socket, batch)).toEqual({ ok: true, stored: 0 });
    expect((await stored(server.id)).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps the newest sample as latest when older ones are replayed', async () => {
    const { agent, server, bootId } = await agentFor();
    const now = Date.now();
    await sendMetrics(agent.socket, makeSample(10, bootId, { timestamp: new Date(now).toISOString() }));
    await sendBatch(agent.socket, [1, 2, 3].map((seq) => makeSample(seq, bootId, { timestamp: new Date(now - (10 - seq) * 1000).toISOString() })));
    const latest = await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(200);
    expect(latest.body.sample.seq).toBe(10);
  });

  it('writes the latest sample to PostgreSQL about a second after its agent disconnects, not before', async () => {
    const { agent, server, bootId } = await agentFor();
    const sample = makeSample(1, bootId);
    await sendMetrics(agent.socket, sample);
    const row = () => t.db.query('SELECT ts, sample FROM metric_latest WHERE server_id = $1', [server.id])
      .then((r) => r.rows[0] as { ts: Date; sample: MetricsSample } | undefined);
    expect(await row()).toBeUndefined(); // connected: memory (and Redis with several instances) answers
    agent.close();
    const saved = (await waitFor(row, Boolean, 10_000, 'the latest sample persisted after the disconnect'))!;
    expect({ ts: saved.ts.toISOString(), seq: saved.sample.seq, cpu: saved.sample.cpu }).toEqual({ ts: sample.timestamp, seq: 1, cpu: sample.cpu });
  });

  it('a value the database refuses fails only its own request, not the rest of the batch', async () => {
    const { MetricsIngestService } = await import('../src/modules/metrics/metrics-ingest.service');
    const ingest = t.app.get(MetricsIngestService);
    const a = await agentFor();
    const b = await agentFor();
    await sendMetrics(a.agent.socket, makeSample(0, a.bootId)); // boot refs interned
    await sendMetrics(b.agent.socket, makeSample(0, b.bootId));
    // Queued together, so they share one INSERT; year 0 is valid ISO-8601 but not a PostgreSQL date.
    const bad = ingest.ingest(a.server.id, [makeSample(1, a.bootId, { timestamp: '0000-01-01T00:00:00Z' })]);
    const good = ingest.ingest(b.server.id, [makeSample(1, b.bootId)]);
    await expect(good).resolves.toBe(1);
    await expect(bad).rejects.toMatchObject({ code: 'ingest.invalid' });
    expect((await stored(b.server.id)).map((r) => r.seq)).toEqual([0, 1]);
    expect((await stored(a.server.id)).map((r) => r.seq)).toEqual([0]);
  });

  it('answers 404 for a server without samples, and for servers that are not yours', async () => {
    const { server } = await provisionServer(t, user);
    await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(404);
    const { agent, server: other, bootId } = await agentFor();
    await sendMetrics(agent.socket, makeSample(1, bootId));
    const stranger = await registerUser(t);
    await t.http().get(`/api/v1/metrics/${other.id}`).set(stranger.auth).expect(404);
    await t.http().get(`/api/v1/metrics/${other.id}/history`).set(stranger.auth).expect(404);
  });

  it('stops acknowledging while PostgreSQL is unavailable and loses nothing when it returns', async () => {
    const { agent, server, bootId } = await agentFor();
    const name = dbName(t.dbUrl);
    // An agent-like sender: every sample is resent until it is acknowledged, oldest first.
    const unacked: number[] = [];
    const acked = new Set<number>();
    const okAcks: number[] = [];
    let timeouts = 0;
    let next = 0;
    let stop = false;
    const sender = (async () => {
      while (!stop || unacked.length) {
        if (!stop) unacked.push(next++);
        for (const seq of [...unacked]) {
          try {
            const ack = await sendMetrics(agent.socket, makeSample(seq, bootId), 700);
            if (ack.ok) {
              acked.add(seq);
              okAcks.push(seq);
              unacked.splice(unacked.indexOf(seq), 1);
            } else throw new Error(JSON.stringify(ack));
          } catch (err) {
            if (!/timed out/.test((err as Error).message)) throw err;
            timeouts++;
            break; // like the agent: keep order, retry later
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await waitFor(() => acked.size, (n) => n >= 5, 15_000, 'acks before the outage');
    // Outage: nobody may connect to the app's database, and its open connections are cut
    // (including this file's own client, which is not used afterwards).
    t.db.on('error', () => undefined);
    await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    const ackedAtOutage = okAcks.length;
    // Only timeouts from now on count: a slow ack before the outage proves nothing about it.
    const timeoutsAtOutage = timeouts;
    await waitFor(() => timeouts - timeoutsAtOutage, (n) => n >= 3, 15_000, 'unacknowledged samples during the outage');
    // At most the frames already committed when the outage began were acknowledged after it.
    expect(okAcks.length - ackedAtOutage).toBeLessThanOrEqual(2);
    const ackedDuringOutage = okAcks.length;
    const timeoutsLater = timeouts;
    await waitFor(() => timeouts - timeoutsLater, (n) => n >= 3, 15_000, 'still no acks');
    expect(okAcks.length).toBe(ackedDuringOutage);
    await t.http().get('/health').expect(200);
    // REST meanwhile: an honest 503 with Retry-After, not a 401 for a valid session, not a 500.
    const rest = await t.http().get('/api/v1/servers').set(user.auth);
    expect({ status: rest.status, code: rest.body.code }).toEqual({ status: 503, code: 'database.unavailable' });
    expect(rest.headers['retry-after']).toMatch(/^\d+$/);
    expect(unacked.length).toBeGreaterThan(0);

    await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await waitFor(() => okAcks.length, (n) => n > ackedDuringOutage + 3, 30_000, 'acks resume by themselves');
    stop = true;
    await sender;

    const db = new Client({ connectionString: t.dbUrl });
    await db.connect();
    const seqs = (await stored(server.id, db)).map((r) => r.seq);
    await db.end();
    expect(seqs).toEqual(Array.from({ length: next }, (_, i) => i)); // every seq, once, no gap
    await t.http().get('/health/ready').expect(200);
  }, 90_000);
});

describe('metrics after a backend restart', () => {
  it('serves the latest sample and the history from the database', async () => {
    let t = await startTestApp();
    const dbUrl = t.dbUrl;
    try {
      const user = await registerUser(t);
      const { server, key } = await provisionServer(t, user);
      const agent = await connectAgent(t.baseUrl, key.key);
      const hello = makeHello();
      agent.socket.emit('hello', hello);
      // A whole 10 s boundary: history buckets are aligned to the stored resolution.
      const base = Math.floor((Date.now() - 60_000) / 10_000) * 10_000;
      for (let seq = 0; seq < 6; seq++) {
        const ts = new Date(base + seq * 10_000).toISOString();
        expect((await sendMetrics(agent.socket, makeSample(seq, hello.bootId, { timestamp: ts, cpu: { percent: seq * 10 } }))).ok).toBe(true);
      }
      agent.close();
      // Stop this backend (the shutdown persists the latest samples) but keep its database.
      await t.db.end();
      await t.app.close();

      t = await startTestApp({}, { dbUrl });
      const latest = await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(200);
      expect(latest.body).toMatchObject({ serverId: server.id, timestamp: new Date(base + 50_000).toISOString(), sample: { seq: 5, bootId: hello.bootId } });
      const start = new Date(base).toISOString();
      const end = new Date(base + 60_000).toISOString();
      const hist = await t.http().get(`/api/v1/metrics/${server.id}/history`).query({ start, end, points: 6 }).set(user.auth).expect(200);
      expect(hist.body.points.map((p: { cpuPercent: number }) => p.cpuPercent)).toEqual([0, 10, 20, 30, 40, 50]);

      // The restarted backend keeps ingesting for the same boot without duplicating.
      const again = await connectAgent(t.baseUrl, key.key);
      again.socket.emit('hello', hello);
      expect(await sendBatch(again.socket, [4, 5, 6].map((seq) => makeSample(seq, hello.bootId)))).toEqual({ ok: true, stored: 1 });
      again.close();
    } finally {
      await t.db.end().catch(() => undefined);
      await t.app.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${dbName(dbUrl)} WITH (FORCE)`);
    }
  });
});
