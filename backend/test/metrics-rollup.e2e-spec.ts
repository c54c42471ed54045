import { MetricsIngestService } from '../src/modules/metrics/metrics-ingest.service';
import { MetricsRollupService } from '../src/modules/metrics/metrics-rollup.service';
import { makeSample } from './support/agent-client';
import { createServer, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

/**
 * Rollup tiers against raw data in a real PostgreSQL: per-bucket avg/max, idempotence, catch-up
 * after downtime, late samples, retention, and the history endpoint's tier selection and gaps.
 */
describe('history tiers', () => {
  let t: TestApp;
  let u: TestUser;
  let rollups: MetricsRollupService;
  const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const floorHour = (d: number) => Math.floor(d / HOUR) * HOUR;

  beforeAll(async () => {
    // slices of two servers: every test below runs through several slices
    t = await startTestApp({ ROLLUP_INTERVAL_SEC: '3600', ROLLUP_SLICE_SERVERS: '2' });
    u = await registerUser(t);
    rollups = t.app.get(MetricsRollupService);
  });
  afterAll(async () => { await t.close(); });

  /** Inserts raw samples every `everyMs` in [from, to) with cpu = f(i), straight into the table. */
  async function seed(serverId: string, from: number, to: number, everyMs: number, bootId = 'b1') {
    const boot = await t.db.query(
      `INSERT INTO agent_boots (server_id, boot_id) VALUES ($1, $2) ON CONFLICT (server_id, boot_id) DO UPDATE SET boot_id = EXCLUDED.boot_id RETURNING id`,
      [serverId, bootId],
    );
    await t.db.query(
      `INSERT INTO metric_samples (server_id, boot_ref, seq, ts, cpu, mem, swap, disk, load1, net_rx, net_tx)
       SELECT $1, $2, (extract(epoch FROM g) * 1000)::bigint, g,
              (extract(epoch FROM g)::bigint % 97)::real, 40, NULL, 55, 1.5, (extract(epoch FROM g)::bigint % 13) * 1000, 500
       FROM generate_series($3::timestamptz, $4::timestamptz - interval '1 millisecond', $5::interval) g
       ON CONFLICT DO NOTHING`,
      [serverId, boot.rows[0].id, new Date(from), new Date(to), `${everyMs / 1000} seconds`],
    );
  }

  const rawAgg = (serverId: string, unit: 'minute' | 'hour', from: number, to: number) =>
    t.db.query(
      `SELECT date_trunc('${unit}', ts) AS bucket, count(*)::int AS n, avg(cpu)::float8 AS cpu_avg, max(cpu)::float8 AS cpu_max,
              min(cpu)::float8 AS cpu_min, avg(net_rx)::float8 AS rx_avg, max(net_rx)::float8 AS rx_max
       FROM metric_samples WHERE server_id = $1 AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`,
      [serverId, new Date(from), new Date(to)],
    ).then((r) => r.rows);

  const tier = (table: string, serverId: string) =>
    t.db.query(
      `SELECT bucket, samples AS n, cpu_avg::float8, cpu_max::float8, cpu_min::float8, rx_avg::float8, rx_max::float8, swap_avg, swap_n
       FROM ${table} WHERE server_id = $1 ORDER BY bucket`,
      [serverId],
    ).then((r) => r.rows);

  const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-3, Math.abs(b) * 1e-5);

  it('aggregates closed minutes and hours exactly (avg/max/min) and is idempotent', async () => {
    const s = await createServer(t, u);
    const from = floorHour(NOW.getTime()) - 3 * HOUR;
    const to = floorHour(NOW.getTime()) - HOUR;
    await seed(s.id, from, to, 5000);
    await rollups.run(NOW);

    const minutes = await tier('metric_rollup_1m', s.id);
    const expected = await rawAgg(s.id, 'minute', from, to);
    expect(minutes).toHaveLength(120);
    minutes.forEach((m, i) => {
      expect(m.bucket).toEqual(expected[i].bucket);
      expect(m.n).toBe(12);
      expect(close(m.cpu_avg, expected[i].cpu_avg)).toBe(true);
      expect(m.cpu_max).toBe(expected[i].cpu_max);
      expect(m.cpu_min).toBe(expected[i].cpu_min);
      expect(close(m.rx_avg, expected[i].rx_avg)).toBe(true);
      expect(m.swap_avg).toBeNull(); // no swap on this host: null, not 0
      expect(m.swap_n).toBe(0);
    });
    const hours = await tier('metric_rollup_1h', s.id);
    const expectedHours = await rawAgg(s.id, 'hour', from, to);
    expect(hours).toHaveLength(2);
    hours.forEach((h, i) => {
      expect(h.n).toBe(720);
      expect(close(h.cpu_avg, expectedHours[i].cpu_avg)).toBe(true);
      expect(h.cpu_max).toBe(expectedHours[i].cpu_max);
      expect(close(h.rx_avg, expectedHours[i].rx_avg)).toBe(true);
    });

    await t.db.query(`UPDATE rollup_watermarks SET watermark = $1`, [new Date(from)]);
    await rollups.run(NOW);
    expect(await tier('metric_rollup_1m', s.id)).toEqual(minutes);
    expect(await tier('metric_rollup_1h', s.id)).toEqual(hours);
  });

  it('catches up by itself after downtime', async () => {
    const s = await createServer(t, u);
    const from = floorHour(NOW.getTime()) - 30 * HOUR;
    await seed(s.id, from, from + 26 * HOUR, 60_000);
    // the job "was down": its watermarks are two days behind
    await t.db.query(`UPDATE rollup_watermarks SET watermark = $1`, [new Date(from - 24 * HOUR)]);
    const serverSlices = jest.spyOn(rollups as unknown as { serverSlices(): Promise<string[][]> }, 'serverSlices');
    let report;
    try {
      report = await rollups.run(NOW);
      // ~54 hours behind: several 6-hour windows per tier, and the server list read once per tier
      expect(serverSlices).toHaveBeenCalledTimes(2);
    } finally {
      serverSlices.mockRestore();
    }
    expect(report.minuteWatermark.getTime()).toBeGreaterThan(NOW.getTime() - 2 * MIN);
    expect((await tier('metric_rollup_1m', s.id)).length).toBe(26 * 60);
    expect((await tier('metric_rollup_1h', s.id)).length).toBe(26);
  });

  it('aggregates a fleet larger than a slice slice by slice: every server and its detail series once, paced when caught up', async () => {
    const fleet = [];
    for (let i = 0; i < 5; i++) fleet.push(await createServer(t, u));
    const to = Math.floor((NOW.getTime() - MIN) / MIN) * MIN;
    const from = to - 3 * MIN;
    for (const s of fleet) await seed(s.id, from, to, 5000);
    await t.db.query(`UPDATE metric_samples SET detail = '{"n:eth0":[100,200]}' WHERE server_id = ANY($1::uuid[])`, [fleet.map((s) => s.id)]);
    await t.db.query(`UPDATE rollup_watermarks SET watermark = $1 WHERE tier = '1m'`, [new Date(from)]);
    const servers = (await t.db.query('SELECT count(*)::int AS n FROM servers')).rows[0].n;
    const pause = jest.spyOn(rollups as unknown as { pause(ms: number): Promise<void> }, 'pause');
    try {
      const report = await rollups.run(NOW);
      expect(report.minuteWatermark.getTime()).toBe(to);
      // a steady-state window: a pause after every slice but the last, each proportional to the slice's own time
      const minutePauses = Math.ceil(servers / 2) - 1;
      expect(pause.mock.calls.length).toBeGreaterThanOrEqual(minutePauses);
      for (const [ms] of pause.mock.calls) expect(ms).toBeGreaterThan(0);
    } finally {
      pause.mockRestore();
    }
    for (const s of fleet) {
      expect((await tier('metric_rollup_1m', s.id)).map((m) => m.n)).toEqual([12, 12, 12]);
      const detail = await t.db.query('SELECT n, a_avg::float8 AS a, b_max::float8 AS b FROM metric_detail_1m WHERE server_id = $1 ORDER BY bucket', [s.id]);
      expect(detail.rows).toEqual([12, 12, 12].map((n) => ({ n, a: 100, b: 200 })));
    }
  });

  it('re-aggregates a bucket that received a late sample after it was rolled up', async () => {
    const s = await createServer(t, u);
    const bucket = floorHour(NOW.getTime()) - 2 * HOUR;
    await seed(s.id, bucket, bucket + MIN, 10_000);
    await t.db.query(`UPDATE rollup_watermarks SET watermark = $1`, [new Date(bucket)]);
    await rollups.run(NOW);
    const before = (await tier('metric_rollup_1m', s.id))[0];
    expect(before.n).toBe(6);
    // an agent replays an old sample: ingest stores it and marks the minute dirty
    await seed(s.id, bucket + 5000, bucket + 6000, 1000, 'replayed-boot');
    await t.db.query(`INSERT INTO rollup_dirty (server_id, bucket) VALUES ($1, $2)`, [s.id, new Date(bucket)]);
    const report = await rollups.run(NOW);
    expect(report.dirtyBuckets).toBeGreaterThanOrEqual(1);
    const after = (await tier('metric_rollup_1m', s.id))[0];
    expect(after.n).toBe(7);
    expect((await tier('metric_rollup_1h', s.id))[0].n).toBe(7);
    expect((await t.db.query('SELECT count(*)::int AS n FROM rollup_dirty WHERE server_id = $1', [s.id])).rows[0].n).toBe(0);
  });

  it('lets the ingest path mark late samples so their rolled-up minute is corrected', async () => {
    const s = await createServer(t, u);
    const minute = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
    const ingest = t.app.get(MetricsIngestService);
    await ingest.ingest(s.id, [makeSample(1, 'live-boot', { timestamp: new Date(minute + 1000).toISOString(), cpu: { percent: 10 } })]);
    await rollups.run(new Date());
    expect((await tier('metric_rollup_1m', s.id)).map((r) => r.n)).toEqual([1]);
    // the same minute receives a replayed sample from the agent's offline buffer, half an hour late
    await ingest.ingest(s.id, [makeSample(2, 'live-boot', { timestamp: new Date(minute + 2000).toISOString(), cpu: { percent: 30 } })]);
    const dirty = await t.db.query('SELECT bucket FROM rollup_dirty WHERE server_id = $1', [s.id]);
    expect(dirty.rows.map((r) => r.bucket.getTime())).toEqual([minute]);
    await rollups.run(new Date());
    const [row] = await tier('metric_rollup_1m', s.id);
    expect(row.n).toBe(2);
    expect(close(row.cpu_avg, 20)).toBe(true);
    expect(row.cpu_max).toBe(30);
  });

  it('deletes expired rows of each tier and keeps the rest', async () => {
    const s = await createServer(t, u);
    const day = 24 * HOUR;
    await seed(s.id, NOW.getTime() - 8 * day, NOW.getTime() - 8 * day + 10 * MIN, 5000, 'old');
    await seed(s.id, NOW.getTime() - 6 * day, NOW.getTime() - 6 * day + 10 * MIN, 5000, 'recent');
    const ins = (table: string, at: number) => t.db.query(
      `INSERT INTO ${table} (server_id, bucket, samples, cpu_avg, cpu_max, cpu_min, mem_avg, mem_max, load1_avg, load1_max)
       VALUES ($1, $2, 1, 1, 1, 1, 1, 1, 1, 1) ON CONFLICT DO NOTHING`, [s.id, new Date(at)]);
    await ins('metric_rollup_1m', floorHour(NOW.getTime() - 91 * day));
    await ins('metric_rollup_1m', floorHour(NOW.getTime() - 89 * day));
    await ins('metric_rollup_1h', floorHour(NOW.getTime() - 731 * day));
    await ins('metric_rollup_1h', floorHour(NOW.getTime() - 700 * day));
    const deleted = await rollups.enforceRetention(NOW);
    expect(deleted.metric_samples).toBeGreaterThanOrEqual(120);
    const count = async (table: string, col: string, olderThanDays: number) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE server_id = $1 AND ${col} < $2`, [s.id, new Date(NOW.getTime() - olderThanDays * day)])).rows[0].n;
    expect(await count('metric_samples', 'ts', 7)).toBe(0);
    expect(await count('metric_samples', 'ts', 5)).toBe(120);
    expect(await count('metric_rollup_1m', 'bucket', 90)).toBe(0);
    expect(await count('metric_rollup_1m', 'bucket', 80)).toBe(1);
    expect(await count('metric_rollup_1h', 'bucket', 730)).toBe(0);
    expect(await count('metric_rollup_1h', 'bucket', 600)).toBe(1);
  });

  describe('GET /metrics/{id}/history', () => {
    let serverId: string;
    const from = floorHour(NOW.getTime()) - 20 * 24 * HOUR;
    beforeAll(async () => {
      serverId = (await createServer(t, u)).id;
      // 20 days of 1-minute data with a gap of 3 hours 5 days ago, and 5-second data in the last 2 hours
      await seed(serverId, from, NOW.getTime() - 5 * 24 * HOUR, 60_000, 'old');
      await seed(serverId, NOW.getTime() - 5 * 24 * HOUR + 3 * HOUR, NOW.getTime() - 2 * HOUR, 60_000, 'mid');
      await seed(serverId, NOW.getTime() - 2 * HOUR, NOW.getTime(), 5000, 'new');
      await t.db.query(`UPDATE rollup_watermarks SET watermark = $1`, [new Date(from - HOUR)]);
      await rollups.run(NOW);
    });

    const history = (q: string) => t.http().get(`/api/v1/metrics/${serverId}/history?${q}`).set(u.auth).expect(200).then((r) => r.body);

    it('answers short ranges from raw samples, including the newest seconds', async () => {
      const end = NOW.toISOString();
      const body = await history(`start=${new Date(NOW.getTime() - HOUR).toISOString()}&end=${end}&points=300`);
      expect(body.source).toBe('raw');
      expect(body.resolution).toBe('12s');
      expect(body.points.length).toBeLessThanOrEqual(300);
      const filled = body.points.filter((p: { cpuPercent: number | null }) => p.cpuPercent !== null);
      expect(filled.length).toBeGreaterThan(280);
      // bucket averages match the raw data
      const first = filled[0];
      const raw = await t.db.query(
        `SELECT avg(cpu)::float8 AS a, max(cpu)::float8 AS m FROM metric_samples WHERE server_id = $1 AND ts >= $2 AND ts < $3::timestamptz + interval '12 seconds'`,
        [serverId, first.timestamp, first.timestamp],
      );
      // history values are rounded to 0.01 (docs/api.md): a 3-sample average of integers can be 0.0033 away
      expect(Math.abs(first.cpuPercent - raw.rows[0].a)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(first.cpuPercentMax).toBe(raw.rows[0].m);
    });

    it('answers a day from 1-minute rollups plus the not yet rolled-up tail', async () => {
      const body = await history(`start=${new Date(NOW.getTime() - 24 * HOUR).toISOString()}&end=${NOW.toISOString()}&points=300`);
      expect(body.source).toBe('1m');
      expect(body.resolution).toBe('5m');
      expect(body.points.length).toBeLessThanOrEqual(300);
      const last = body.points.filter((p: { cpuPercent: number | null }) => p.cpuPercent !== null).pop();
      expect(Date.parse(last.timestamp)).toBeGreaterThan(NOW.getTime() - 10 * MIN);
    });

    it('answers 30 days from hourly rollups with the gap as nulls', async () => {
      const body = await history(`start=${new Date(NOW.getTime() - 30 * 24 * HOUR).toISOString()}&end=${NOW.toISOString()}&points=300`);
      expect(body.source).toBe('1h');
      expect(body.points.length).toBeLessThanOrEqual(300);
      const pts = body.points as { timestamp: string; cpuPercent: number | null; memoryPercent: number | null }[];
      // before the data starts: nulls, not zeros
      expect(pts.filter((p) => Date.parse(p.timestamp) < from - 3 * HOUR).every((p) => p.cpuPercent === null)).toBe(true);
      expect(pts.some((p) => p.cpuPercent !== null)).toBe(true);
      expect(pts.filter((p) => p.memoryPercent !== null).every((p) => close(p.memoryPercent!, 40))).toBe(true);
      const at = (ms: number) => pts.find((p) => Date.parse(p.timestamp) <= ms && Date.parse(p.timestamp) + 3 * HOUR > ms);
      expect(at(from + 5 * 24 * HOUR)?.cpuPercent).not.toBeNull();
    });

    it('shows a gap inside a short range as null buckets', async () => {
      const gapStart = NOW.getTime() - 5 * 24 * HOUR;
      const body = await history(`start=${new Date(gapStart - HOUR).toISOString()}&end=${new Date(gapStart + 4 * HOUR).toISOString()}&points=50`);
      const pts = body.points as { timestamp: string; cpuPercent: number | null }[];
      const during = pts.filter((p) => Date.parse(p.timestamp) >= gapStart + 10 * MIN && Date.parse(p.timestamp) < gapStart + 2.5 * HOUR);
      expect(during.length).toBeGreaterThan(5);
      expect(during.every((p) => p.cpuPercent === null)).toBe(true);
      expect(pts.filter((p) => Date.parse(p.timestamp) < gapStart - 10 * MIN).every((p) => p.cpuPercent !== null)).toBe(true);
    });
  });
});

/**
 * The scheduled job, not a direct call: with short retentions and a 1 s interval, rows past each
 * tier's retention go away and a closed minute gets rolled up by themselves. Rows this old are
 * kept by the default retentions (7/90/730 days), and the default interval (30 s) is past the
 * deadline: a scheduler that ignored any of these settings fails here.
 */
describe('the rollup scheduler honours METRICS_*_RETENTION_DAYS and ROLLUP_INTERVAL_SEC', () => {
  let t: TestApp;
  const DAY = 86_400_000;
  beforeAll(async () => {
    t = await startTestApp({
      ROLLUP_INTERVAL_SEC: '1', METRICS_RAW_RETENTION_DAYS: '2', METRICS_1M_RETENTION_DAYS: '3', METRICS_1H_RETENTION_DAYS: '5',
    });
  });
  afterAll(async () => { await t.close(); });

  it('deletes what each retention no longer covers and rolls up closed minutes, on its own', async () => {
    const u = await registerUser(t);
    const { id: serverId } = await createServer(t, u);
    const now = Date.now();
    const boot = (await t.db.query(`INSERT INTO agent_boots (server_id, boot_id) VALUES ($1, 'sched') RETURNING id`, [serverId])).rows[0].id;
    const raw = (seq: number, at: number) => t.db.query(
      `INSERT INTO metric_samples (server_id, boot_ref, seq, ts, cpu, mem, swap, disk, load1, net_rx, net_tx) VALUES ($1, $2, $3, $4, 10, 20, NULL, 30, 1, 100, 200)`,
      [serverId, boot, seq, new Date(at)],
    );
    const rollup = (table: string, at: number) => t.db.query(
      `INSERT INTO ${table} (server_id, bucket, samples, cpu_avg, cpu_max, cpu_min, mem_avg, mem_max, load1_avg, load1_max) VALUES ($1, $2, 1, 1, 1, 1, 1, 1, 1, 1)`,
      [serverId, new Date(Math.floor(at / 3_600_000) * 3_600_000)],
    );
    const closedMinute = Math.floor((now - 5 * 60_000) / 60_000) * 60_000;
    await raw(1, now - 2.5 * DAY); // past 2 days
    await raw(2, closedMinute + 10_000); // inside: rolled up into its minute
    await raw(3, closedMinute + 40_000);
    await rollup('metric_rollup_1m', now - 4 * DAY); // past 3 days
    await rollup('metric_rollup_1m', now - 2 * DAY);
    await rollup('metric_rollup_1h', now - 6 * DAY); // past 5 days
    await rollup('metric_rollup_1h', now - 4 * DAY);

    const olderThan = async (table: string, col: string, days: number) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE server_id = $1 AND ${col} < $2`, [serverId, new Date(now - days * DAY)])).rows[0].n as number;
    const state = async () => ({
      raw: await olderThan('metric_samples', 'ts', 2),
      minute: await olderThan('metric_rollup_1m', 'bucket', 3),
      hour: await olderThan('metric_rollup_1h', 'bucket', 5),
      rolled: (await t.db.query(`SELECT samples, cpu_avg FROM metric_rollup_1m WHERE server_id = $1 AND bucket = $2`, [serverId, new Date(closedMinute)])).rows,
    });
    const done = await waitFor(state, (s) => s.raw + s.minute + s.hour === 0 && s.rolled.length === 1, 20_000, 'the scheduled job');
    expect(done.rolled[0]).toMatchObject({ samples: 2, cpu_avg: 10 });
    // What each retention still covers is kept.
    const at = async (table: string, col: string, when: number) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE server_id = $1 AND ${col} = $2`, [serverId, new Date(when)])).rows[0].n as number;
    const hourOf = (ms: number) => Math.floor(ms / 3_600_000) * 3_600_000;
    expect(await olderThan('metric_samples', 'ts', 0)).toBe(2);
    expect(await at('metric_rollup_1m', 'bucket', hourOf(now - 2 * DAY))).toBe(1);
    expect(await at('metric_rollup_1h', 'bucket', hourOf(now - 4 * DAY))).toBe(1);
  });
});
