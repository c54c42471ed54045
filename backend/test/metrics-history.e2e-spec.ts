import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendBatch, TestAgent } from './support/agent-client';

/** GET /metrics/{id}/history: bucket averages and maxima over what the agent sent, gaps as nulls. */
describe('metrics history', () => {
  let t: TestApp;
  let user: TestUser;
  let serverId: string;
  let agent: TestAgent;
  // Ten one-minute buckets starting at a round minute an hour ago.
  const start = new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000);
  const at = (minute: number, sec: number) => new Date(start.getTime() + minute * 60_000 + sec * 1000).toISOString();
  const end = at(10, 0);

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t);
    const { server, key } = await provisionServer(t, user);
    serverId = server.id;
    agent = await connectAgent(t.baseUrl, key.key);
    const hello = makeHello();
    agent.socket.emit('hello', hello);
    // minute 0: cpu 10 and 30; minute 1: cpu 50; minute 2: nothing; minute 3: cpu 20, 40, 60.
    // Two interfaces, so net rates are their sums; the root filesystem is the disk figure.
    const spec: [number, number, number][] = [[0, 5, 10], [0, 35, 30], [1, 0, 50], [3, 1, 20], [3, 20, 40], [3, 59, 60]];
    const samples = spec.map(([minute, sec, cpu], seq) => makeSample(seq, hello.bootId, {
      timestamp: at(minute, sec),
      cpu: { percent: cpu, load: [cpu / 10, 0, 0] },
      memory: { percent: cpu / 2 },
      disks: [
        { mount: '/data', fs: '/dev/sdb1', type: 'xfs', totalBytes: 1e12, usedBytes: 9e11, percent: 90 },
        { mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 5e10, percent: cpu },
      ],
      network: [
        { iface: 'eth0', rxBytes: 0, txBytes: 0, rxBps: cpu * 100, txBps: 1 },
        { iface: 'eth1', rxBytes: 0, txBytes: 0, rxBps: cpu * 10, txBps: 2 },
      ],
    }));
    // Outside the range: must not leak into the first or last bucket.
    samples.push(makeSample(100, hello.bootId, { timestamp: at(-1, 59), cpu: { percent: 99 } }));
    samples.push(makeSample(101, hello.bootId, { timestamp: at(10, 0), cpu: { percent: 99 } }));
    expect(await sendBatch(agent.socket, samples)).toEqual({ ok: true, stored: 8 });
  });
  afterAll(async () => {
    agent.close();
    await t.close();
  });

  const history = (query: Record<string, unknown>) => t.http().get(`/api/v1/metrics/${serverId}/history`).query(query).set(user.auth);

  it('returns one bucket per minute with averages, maxima and null gaps', async () => {
    const res = await history({ start: start.toISOString(), end, points: 10 }).expect(200);
    expect(res.body).toMatchObject({ serverId, start: start.toISOString(), end, resolution: '1m' });
    const p = res.body.points;
    expect(p).toHaveLength(10);
    expect(p.map((x: { timestamp: string }) => x.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => at(i, 0)));
    expect(p.map((x: { cpuPercent: number | null }) => x.cpuPercent)).toEqual([20, 50, null, 40, null, null, null, null, null, null]);
    expect(p[0]).toMatchObject({ cpuPercent: 20, cpuPercentMax: 30, memoryPercent: 10, memoryPercentMax: 15, diskPercent: 20, load1: 2, netRxBps: 2200, netRxBpsMax: 3300, netTxBps: 3 });
    expect(p[3]).toMatchObject({ cpuPercent: 40, cpuPercentMax: 60, netRxBpsMax: 6600 });
    expect(p[2]).toMatchObject({ cpuPercent: null, memoryPercent: null, diskPercent: null, load1: null, netRxBps: null, netTxBps: null });
  });

  it('never returns more buckets than asked for', async () => {
    for (const points of [1, 3, 7, 9, 11, 2000]) {
      const res = await history({ start: start.toISOString(), end, points }).expect(200);
      expect(res.body.points.length).toBeLessThanOrEqual(points);
      expect(res.body.points.length).toBeGreaterThan(0);
      const withData = res.body.points.filter((x: { cpuPercent: number | null }) => x.cpuPercent !== null);
      // Whatever the bucketing, the overall maximum is preserved.
      expect(Math.max(...withData.map((x: { cpuPercentMax: number }) => x.cpuPercentMax))).toBe(60);
    }
    const one = await history({ start: start.toISOString(), end, points: 1 }).expect(200);
    expect(one.body.points[0].cpuPercent).toBeCloseTo((10 + 30 + 50 + 20 + 40 + 60) / 6, 5);
  });

  it('rounds averages to 0.01 (samples are stored as float4)', async () => {
    const other = await provisionServer(t, user);
    const second = await connectAgent(t.baseUrl, other.key.key);
    try {
      const hello = makeHello();
      second.socket.emit('hello', hello);
      // cpu 10, 10, 11 → 10.333…; memory 1, 1, 2 → 1.333…; eth0 rx 1, 2, 2 → 1.666…
      const samples = [10, 10, 11].map((cpu, seq) => makeSample(seq, hello.bootId, {
        timestamp: at(0, 10 * (seq + 1)),
        cpu: { percent: cpu, load: [0.5, 0, 0] },
        memory: { percent: cpu === 11 ? 2 : 1 },
        network: [{ iface: 'eth0', rxBytes: 0, txBytes: 0, rxBps: seq === 0 ? 1 : 2, txBps: 0 }],
      }));
      expect(await sendBatch(second.socket, samples)).toEqual({ ok: true, stored: 3 });
      const res = await t.http().get(`/api/v1/metrics/${other.server.id}/history`)
        .query({ start: start.toISOString(), end: at(1, 0), points: 1 }).set(user.auth).expect(200);
      expect(res.body.points).toHaveLength(1);
      expect(res.body.points[0]).toMatchObject({ cpuPercent: 10.33, cpuPercentMax: 11, memoryPercent: 1.33, netRxBps: 1.67, load1: 0.5 });
    } finally {
      second.close();
    }
  });

  it('defaults to the last hour in at most 300 buckets', async () => {
    const res = await history({}).expect(200);
    expect(res.body.points.length).toBeLessThanOrEqual(300);
    // the start is aligned down to the tier's step (a whole second for raw samples)
    const span = Date.parse(res.body.end) - Date.parse(res.body.start);
    expect(span).toBeGreaterThanOrEqual(3_600_000);
    expect(span).toBeLessThan(3_601_000);
    expect(Date.parse(res.body.start) % 1000).toBe(0);
  });

  it('rejects bad ranges and point counts with 400', async () => {
    await history({ start: end, end: start.toISOString() }).expect(400);
    await history({ start: 'last tuesday' }).expect(400);
    await history({ points: 0 }).expect(400);
    await history({ points: 2001 }).expect(400);
    await history({ points: 'many' }).expect(400);
    await history({ start: '2000-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z' }).expect(400);
    await t.http().get('/api/v1/metrics/not-a-uuid/history').set(user.auth).expect(400);
  });
});
