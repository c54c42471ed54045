import type { MetricsHistory, MetricsSample } from '@chatops/protocol';
import { MetricsIngestService } from '../src/modules/metrics/metrics-ingest.service';
import { MetricsRollupService } from '../src/modules/metrics/metrics-rollup.service';
import { makeSample } from './support/agent-client';
import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * Per-interface network, per-mount disk usage and disk I/O history in a real PostgreSQL: samples
 * stored through the ingest path with two NICs (plus virtual ones, not kept) and two mounts, read
 * back through `GET /metrics/{id}/history?series=` on the raw, 1-minute and 1-hour tiers.
 */
describe('history: per-interface, per-mount and disk I/O series', () => {
  let t: TestApp;
  let u: TestUser;
  let serverId: string;
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const NOW = Date.now();
  // one hour of samples every 10 s, ending an hour ago (so its minutes and its hour are closed)
  const from = Math.floor(NOW / HOUR) * HOUR - 2 * HOUR;
  const to = from + HOUR;

  /** Odd samples are the "high" ones: averages sit halfway, maxima on the high value. */
  function sample(i: number): MetricsSample {
    const high = i % 2 === 1;
    return makeSample(i + 1, 'detail-boot', {
      timestamp: new Date(from + i * 10_000).toISOString(),
      network: [
        { iface: 'eth0', rxBytes: 1, txBytes: 1, rxBps: high ? 2000 : 1000, txBps: 500 },
        { iface: 'ens5', rxBytes: 1, txBytes: 1, rxBps: 10, txBps: high ? 30 : 10 },
        { iface: 'veth1a2b3c', rxBytes: 1, txBytes: 1, rxBps: 9e6, txBps: 9e6 },
        { iface: 'docker0', rxBytes: 1, txBytes: 1, rxBps: 9e6, txBps: 9e6 },
      ],
      disks: [
        { mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 4e10, percent: high ? 42 : 40 },
        { mount: '/data', fs: '/dev/sdb1', type: 'xfs', totalBytes: 5e11, usedBytes: 4e11, percent: 80 },
      ],
      diskIo: { readBps: 100, writeBps: high ? 300 : 100 },
    });
  }

  const history = (q: string) => t.http().get(`/api/v1/metrics/${serverId}/history?${q}`).set(u.auth);
  const range = (start: number, end: number, points: number, series = 'network,mounts,diskio') =>
    history(`start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}&points=${points}&series=${series}`).expect(200).then((r) => r.body as MetricsHistory);
  const at = (h: MetricsHistory, ms: number) => h.points.findIndex((p) => Date.parse(p.timestamp) === ms);

  beforeAll(async () => {
    t = await startTestApp({ ROLLUP_INTERVAL_SEC: '3600' });
    u = await registerUser(t);
    serverId = (await createServer(t, u)).id;
    const ingest = t.app.get(MetricsIngestService);
    const samples = Array.from({ length: 360 }, (_, i) => sample(i));
    expect(await ingest.ingest(serverId, samples)).toBe(360);
    await t.app.get(MetricsRollupService).run(new Date(NOW));
  });
  afterAll(async () => { await t.close(); });

  it('keeps real interfaces, mounts and disk I/O per sample, small and without virtual interfaces', async () => {
    const { rows } = await t.db.query(
      `SELECT detail, pg_column_size(detail) AS bytes FROM metric_samples WHERE server_id = $1 ORDER BY ts LIMIT 2`, [serverId]);
    expect(rows[1].detail).toEqual({ 'n:eth0': [2000, 500], 'n:ens5': [10, 30], 'm:/': [42], 'm:/data': [80], io: [100, 300] });
    expect(rows[1].bytes).toBeLessThan(100);
  });

  it('answers a short range from raw samples, one column per interface and mount', async () => {
    const h = await range(from, from + 15 * MIN, 300);
    expect(h.source).toBe('raw');
    expect(h.resolution).toBe('5s');
    expect(h.series!.network!.map((n) => n.iface)).toEqual(['ens5', 'eth0']);
    expect(h.series!.mounts!.map((m) => m.mount)).toEqual(['/', '/data']);
    const eth0 = h.series!.network!.find((n) => n.iface === 'eth0')!;
    for (const col of [eth0.rxBps, eth0.txBps, h.series!.mounts![0].percent, h.series!.diskIo!.writeBps]) expect(col).toHaveLength(h.points.length);
    const i = at(h, from + 10_000); // the second sample, a high one
    expect(eth0.rxBps[i]).toBe(2000);
    expect(eth0.txBps[i]).toBe(500);
    expect(h.series!.mounts![0].percent[i]).toBe(42);
    expect(h.series!.diskIo!.writeBps[i]).toBe(300);
    // 5 s buckets, one sample every 10 s: every other bucket is empty (null), never 0
    expect(eth0.rxBps[i + 1]).toBeNull();
    expect(h.series!.diskIo!.readBps[i + 1]).toBeNull();
  });

  it('rolls them up into minutes and hours exactly (averages weighted, maxima kept)', async () => {
    const minutes = await t.db.query(
      `SELECT series, count(*)::int AS buckets, sum(n)::int AS n FROM metric_detail_1m WHERE server_id = $1 GROUP BY 1 ORDER BY 1`, [serverId]);
    expect(minutes.rows).toEqual(['io', 'm:/', 'm:/data', 'n:ens5', 'n:eth0'].map((series) => ({ series, buckets: 60, n: 360 })));

    const m = await range(from, to, 60);
    expect(m.source).toBe('1m');
    expect(m.resolution).toBe('1m');
    const eth0 = m.series!.network!.find((n) => n.iface === 'eth0')!;
    const ens5 = m.series!.network!.find((n) => n.iface === 'ens5')!;
    const i = at(m, from + 5 * MIN);
    expect([eth0.rxBps[i], eth0.rxBpsMax[i], eth0.txBps[i]]).toEqual([1500, 2000, 500]);
    expect([ens5.txBps[i], ens5.txBpsMax[i]]).toEqual([20, 30]);
    expect([m.series!.mounts![0].percent[i], m.series!.mounts![0].percentMax[i], m.series!.mounts![1].percent[i]]).toEqual([41, 42, 80]);
    expect([m.series!.diskIo!.readBps[i], m.series!.diskIo!.writeBps[i], m.series!.diskIo!.writeBpsMax[i]]).toEqual([100, 200, 300]);

    const h = await range(to - 24 * HOUR, to, 24);
    expect(h.source).toBe('1h');
    const j = at(h, from);
    const hEth0 = h.series!.network!.find((n) => n.iface === 'eth0')!;
    expect([hEth0.rxBps[j], hEth0.rxBpsMax[j]]).toEqual([1500, 2000]);
    expect(h.series!.mounts![0].percent[j]).toBe(41);
    expect(h.series!.diskIo!.writeBps[j]).toBe(200);
    // hours without samples are gaps
    expect(hEth0.rxBps[j - 1]).toBeNull();
    expect(h.series!.diskIo!.writeBps[j - 1]).toBeNull();
  });

  it('adds only the series asked for, and nothing without `series`', async () => {
    const only = await range(from, from + 15 * MIN, 300, 'diskio');
    expect(Object.keys(only.series!)).toEqual(['diskIo']);
    const plain = await history(`start=${new Date(from).toISOString()}&end=${new Date(to).toISOString()}`).expect(200);
    expect(plain.body.series).toBeUndefined();
  });

  it('refuses unknown series with 400, and other users\' servers with 404', async () => {
    const bad = await history('series=network,cpu').expect(400);
    expect(bad.body.message).toMatch(/series/);
    await history('series=network&series=mounts').expect(400);
    const other = await registerUser(t);
    await t.http().get(`/api/v1/metrics/${serverId}/history?series=network`).set(other.auth).expect(404);
  });
});
