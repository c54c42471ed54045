import { LatestSamples } from '../src/modules/metrics/latest-samples.service';
import { MetricsIngestService } from '../src/modules/metrics/metrics-ingest.service';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import {
  connectAgent, emitRaw, makeHello, makeSample, provisionServer, sendBatch, sendMetrics, TestAgent,
} from './support/agent-client';

/**
 * Hostile input on `/agents`: every bad frame is refused (or the connection dropped for oversized
 * frames and floods), nothing bad is stored, and a well-behaved agent connected at the same time
 * keeps getting its acknowledgements throughout.
 */
describe('agents channel: hostile input', () => {
  let t: TestApp;
  let user: TestUser;
  let good: TestAgent;
  let goodBoot: string;
  let goodSeq = 0;
  let goodServerId: string;
  let heartbeat: Promise<void>;
  let stopHeartbeat = false;
  const goodFailures: string[] = [];
  const open: TestAgent[] = [];

  const rows = async (serverId: string) =>
    Number((await t.db.query('SELECT count(*) FROM metric_samples WHERE server_id = $1', [serverId])).rows[0].count);

  /** A hostile agent on its own server. */
  async function hostile() {
    const { server, key } = await provisionServer(t, user);
    const agent = await connectAgent(t.baseUrl, key.key);
    open.push(agent);
    const hello = makeHello();
    agent.socket.emit('hello', hello);
    return { agent, serverId: server.id, bootId: hello.bootId };
  }

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t);
    const { server, key } = await provisionServer(t, user, 'well-behaved');
    goodServerId = server.id;
    good = await connectAgent(t.baseUrl, key.key);
    const hello = makeHello({ intervalSec: 1 });
    goodBoot = hello.bootId;
    good.socket.emit('hello', hello);
    // The well-behaved agent reports every 100 ms during the whole file and must always be acked
    // correctly. A slow ack (a 10 MB frame being parsed on a busy machine) is not a failure; a
    // missing or wrong one is: the timeout only has to end a wait that would never finish.
    heartbeat = (async () => {
      while (!stopHeartbeat) {
        const seq = goodSeq++;
        try {
          const ack = await sendMetrics(good.socket, makeSample(seq, goodBoot), 30_000);
          if (!ack.ok || ack.seq !== seq) goodFailures.push(`seq ${seq}: ${JSON.stringify(ack)}`);
        } catch (err) {
          goodFailures.push(`seq ${seq}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  });

  afterAll(async () => {
    stopHeartbeat = true;
    await heartbeat;
    good.close();
    for (const a of open) a.close();
    await t.close();
  });

  afterEach(async () => {
    // After every hostile scenario: the backend is up and the well-behaved agent is still served.
    await t.http().get('/health').expect(200);
    const before = goodSeq;
    await waitFor(() => goodSeq, (n) => n >= before + 2, 60_000, 'well-behaved agent acks');
    // This scenario's failures only: each is reported once, by the test during which it happened.
    expect(goodFailures.splice(0)).toEqual([]);
    expect(good.disconnected()).toBeNull();
  });

  it('refuses wrongly typed, missing, non-finite, negative and huge values with {ok:false}', async () => {
    const { agent, serverId, bootId } = await hostile();
    const s = (seq: number) => makeSample(seq, bootId);
    const bad: unknown[] = [
      null, 42, 'metrics', [], [s(1)], {},
      { ...s(2), seq: '2' },
      { ...s(3), seq: -1 },
      { ...s(4), seq: 1.5 },
      { ...s(5), bootId: '' },
      { ...s(6), bootId: 'x'.repeat(500) },
      { ...s(7), timestamp: 'yesterday' },
      { ...s(8), cpu: undefined },
      { ...s(9), cpu: { ...s(9).cpu, percent: NaN } }, // JSON turns NaN into null
      { ...s(10), cpu: { ...s(10).cpu, percent: -5 } },
      { ...s(11), cpu: { ...s(11).cpu, percent: 1e308 } },
      { ...s(12), cpu: { ...s(12).cpu, load: [1, 2] } },
      { ...s(13), cpu: { ...s(13).cpu, perCore: 'many' } },
      { ...s(14), memory: { ...s(14).memory, totalBytes: 1e300 } },
      { ...s(15), memory: { ...s(15).memory, usedBytes: -1 } },
      { ...s(16), disks: 'sda' },
      { ...s(17), disks: [{ mount: '/' }] },
      { ...s(18), network: [null] },
      { ...s(19), disks: Array.from({ length: 1000 }, () => s(0).disks[0]) },
      { ...s(20), processes: [{ pid: 'init', name: 'x', user: 'root', cpuPercent: 1, memBytes: 1 }] },
    ];
    for (const frame of bad) {
      const ack = await sendMetrics(agent.socket, frame);
      expect(ack).toMatchObject({ ok: false, error: expect.stringMatching(/invalid frame/) });
    }
    // The connection stays up and a good frame afterwards is stored.
    expect(await sendMetrics(agent.socket, s(100))).toEqual({ ok: true, seq: 100 });
    expect(await rows(serverId)).toBe(1);
  });

  it('refuses timestamps PostgreSQL cannot store without failing other agents\' samples', async () => {
    const { agent, serverId, bootId } = await hostile();
    for (const timestamp of ['0000-01-01T00:00:00Z', '1900-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      expect(await sendMetrics(agent.socket, makeSample(1, bootId, { timestamp }))).toMatchObject({ ok: false, error: expect.stringMatching(/timestamp/) });
    }
    expect(await sendBatch(agent.socket, [makeSample(2, bootId, { timestamp: '0000-01-01T00:00:00Z' }), makeSample(3, bootId)])).toEqual({ ok: true, stored: 1, rejected: 1 });
    expect(await rows(serverId)).toBe(1);
  });

  it('refuses bad batches; a batch with some bad samples stores only the good ones', async () => {
    const { agent, serverId, bootId } = await hostile();
    for (const frame of [null, {}, { samples: [] }, { samples: 'x' }, { samples: Array.from({ length: 1001 }, (_, i) => makeSample(i, bootId)) }]) {
      expect(await emitRaw(agent.socket, 'metricsBatch', frame)).toMatchObject({ ok: false });
    }
    const ack = await sendBatch(agent.socket, [makeSample(1, bootId), { ...makeSample(2, bootId), cpu: null }, makeSample(3, bootId), 'junk']);
    expect(ack).toEqual({ ok: true, stored: 2, rejected: 2 });
    expect(await rows(serverId)).toBe(2);
  });

  it('strips unknown fields instead of storing them', async () => {
    const { agent, serverId, bootId } = await hostile();
    const ack = await sendMetrics(agent.socket, { ...makeSample(1, bootId), evil: 'x'.repeat(10_000), cpu: { ...makeSample(1, bootId).cpu, extra: 1 } });
    expect(ack).toEqual({ ok: true, seq: 1 });
    const latest = await t.http().get(`/api/v1/metrics/${serverId}`).set(user.auth).expect(200);
    expect(latest.body.sample.evil).toBeUndefined();
    expect(latest.body.sample.cpu.extra).toBeUndefined();
  });

  it('answers unknown events with {ok:false} and ignores an invalid hello', async () => {
    const { agent, serverId, bootId } = await hostile();
    expect(await emitRaw(agent.socket, 'drop_tables', { all: true })).toEqual({ ok: false, error: 'unknown event' });
    expect(await emitRaw(agent.socket, '__proto__', {})).toEqual({ ok: false, error: 'unknown event' });
    agent.socket.emit('hello', { hostname: 42 } as any);
    expect((await sendMetrics(agent.socket, makeSample(1, bootId))).ok).toBe(true);
    const server = (await t.http().get(`/api/v1/servers/${serverId}`).set(user.auth).expect(200)).body;
    expect(server.agent.hostname).toBe('test-host'); // from the valid hello, not the bad one
  });

  it('refuses NUL characters and lone surrogates in any frame string (PostgreSQL cannot store them)', async () => {
    const { agent, serverId, bootId } = await hostile();
    const disk = makeSample(0, bootId).disks[0];
    const net = makeSample(0, bootId).network[0];
    const bad: unknown[] = [
      makeSample(1, bootId, { disks: [{ ...disk, mount: '/mnt/\u0000x' }] }),
      makeSample(2, bootId, { network: [{ ...net, iface: 'eth\uD800' }] }),
      makeSample(3, 'boot\u0000'),
      makeSample(4, bootId, { processes: [{ pid: 1, name: 'init', user: '\uDC00root', cpuPercent: 0, memBytes: 0 }] }),
    ];
    for (const frame of bad) {
      expect(await sendMetrics(agent.socket, frame)).toMatchObject({ ok: false, error: expect.stringMatching(/invalid frame: .*(NUL|surrogate)/) });
    }
    expect(await sendBatch(agent.socket, [...bad, makeSample(5, bootId)])).toEqual({ ok: true, stored: 1, rejected: 4 });
    agent.socket.emit('hello', makeHello({ hostname: 'evil\u0000host' }));
    expect(await sendMetrics(agent.socket, makeSample(6, bootId, { disks: [{ ...disk, mount: '/mnt/😀' }] }))).toEqual({ ok: true, seq: 6 });
    expect(await rows(serverId)).toBe(2);
    const server = (await t.http().get(`/api/v1/servers/${serverId}`).set(user.auth).expect(200)).body;
    expect(server.agent.hostname).toBe('test-host');
  });

  it('answers a frame nested deeper than 32 levels with {ok:false} and keeps the connection', async () => {
    const { agent, serverId, bootId } = await hostile();
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    for (const event of ['metrics', 'metricsBatch', 'hello', 'anything']) {
      expect(await emitRaw(agent.socket, event, { ...makeSample(1, bootId), deep })).toEqual({ ok: false, error: 'invalid frame: nested deeper than 32 levels' });
    }
    // ~800 KB of brackets in one raw packet: refused after a scan, not parsed.
    const depth = 400_000;
    (agent.socket.io as unknown as { engine: { write(data: string): void } }).engine.write(`2/agents,["metrics",${'['.repeat(depth)}${']'.repeat(depth)}]`);
    expect(await sendMetrics(agent.socket, makeSample(2, bootId))).toEqual({ ok: true, seq: 2 });
    expect(agent.disconnected()).toBeNull();
    expect(await rows(serverId)).toBe(1);
  });

  it('one server\'s unstorable latest sample does not keep the others\' from being saved', async () => {
    const latest = t.app.get(LatestSamples);
    const { serverId: badServer, bootId } = await hostile();
    const goodSavedAt = async () =>
      (await t.db.query('SELECT received_at FROM metric_latest WHERE server_id = $1', [goodServerId])).rows[0]?.received_at?.getTime() ?? 0;
    await latest.persist();
    const before = await goodSavedAt();
    // As if a sample with NUL got past the frame check: jsonb refuses it ("unsupported Unicode escape sequence").
    const poisoned = makeSample(1, bootId);
    poisoned.disks[0].mount = '/mnt/\u0000';
    latest.offer(badServer, poisoned);
    const acked = goodSeq;
    await waitFor(() => goodSeq, (n) => n >= acked + 2, 3000, 'a fresh sample of the well-behaved agent');
    await latest.persist();
    expect(await goodSavedAt()).toBeGreaterThan(before);
    expect((await t.db.query('SELECT 1 FROM metric_latest WHERE server_id = $1', [badServer])).rowCount).toBe(0);
  });

  it('a batch the database refuses is stored row by row: the other servers\' and the good rows are kept', async () => {
    const ingest = t.app.get(MetricsIngestService);
    const a = await hostile();
    const b = await hostile();
    // A NUL in a boot id gets past no frame check, but it stands for any value PostgreSQL refuses.
    const stored = await Promise.all([
      ingest.ingest(a.serverId, [makeSample(1, a.bootId), makeSample(2, 'boot\u0000'), makeSample(3, a.bootId)]),
      ingest.ingest(b.serverId, [makeSample(1, b.bootId)]),
    ]);
    expect(stored).toEqual([2, 1]);
    expect([await rows(a.serverId), await rows(b.serverId)]).toEqual([2, 1]);
    await expect(ingest.ingest(a.serverId, [makeSample(4, 'x\u0000')])).rejects.toMatchObject({ code: 'ingest.invalid' });
  });

  it('disconnects an agent that sends a 10 MB frame', async () => {
    const { agent, serverId, bootId } = await hostile();
    const huge = { ...makeSample(1, bootId), padding: 'x'.repeat(10 * 1024 * 1024) };
    agent.socket.emit('metrics', huge as any, () => undefined);
    await waitFor(() => agent.disconnected(), Boolean, 30_000, 'oversized frame disconnect');
    expect(await rows(serverId)).toBe(0);
  });

  it('disconnects an agent that sends a non-Socket.IO payload', async () => {
    const { agent } = await hostile();
    (agent.socket.io as any).engine.write('{not json at all');
    await waitFor(() => agent.disconnected(), Boolean, 30_000, 'garbage disconnect');
  });

  it('disconnects a flooding agent', async () => {
    const { agent, serverId, bootId } = await hostile();
    for (let i = 0; i < 2000; i++) agent.socket.emit('metrics', makeSample(i, bootId), () => undefined);
    await waitFor(() => agent.disconnected(), Boolean, 30_000, 'flood disconnect');
    expect(agent.reasons).toContain('too many frames');
    // What was accepted before the cut-off is stored once; nothing beyond the limit was accepted.
    expect(await rows(serverId)).toBeLessThanOrEqual(200);
  });

  it('keeps serving the well-behaved agent (stored exactly what was acknowledged)', async () => {
    const stored = await rows(goodServerId);
    expect(stored).toBeGreaterThanOrEqual(goodSeq - 1); // the one in flight may be unacked yet
    expect(stored).toBeLessThanOrEqual(goodSeq);
  });
});
