import type { HistoryPoint, MetricsSample } from '@chatops/protocol';
import { namedLinesData, withSymbols } from './chart-options';
import { appendDetail, detailFromHistory, mountLines, networkLines } from './detail-series';
import { MAX_POINTS, appendSample, emptySeries, gapThresholdMs, hasValues, isolatedIndexes, parseResolution, seriesFromHistory, withGaps } from './metrics-series';

const T = Date.parse('2026-11-29T10:00:00Z');

function point(t: number, cpu: number | null): HistoryPoint {
  const v = cpu;
  return { timestamp: new Date(t).toISOString(), cpuPercent: v, memoryPercent: v, diskPercent: v, swapPercent: null, load1: v, netRxBps: v, netTxBps: v,
    cpuPercentMax: v, memoryPercentMax: v, load1Max: v, netRxBpsMax: v, netTxBpsMax: v };
}

function sample(t: number, cpu: number): MetricsSample {
  return {
    seq: 1, bootId: 'b', timestamp: new Date(t).toISOString(),
    cpu: { percent: cpu, perCore: [cpu], load: [0.5, 0.4, 0.3], cores: 4 },
    memory: { totalBytes: 8, usedBytes: 2, availableBytes: 6, percent: 25, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [],
    network: [{ iface: 'eth0', rxBytes: 1, txBytes: 1, rxBps: 2048, txBps: 1024 }],
  };
}

/** Buckets of `stepSec` from T, one value each, null where `missing` says. */
function buckets(count: number, stepSec: number, missing: (i: number) => boolean = () => false): HistoryPoint[] {
  return Array.from({ length: count }, (_, i) => point(T + i * stepSec * 1000, missing(i) ? null : 10 + i));
}

describe('history series', () => {
  it('reads the resolution of a history answer', () => {
    expect(['5s', '12s', '1m', '5m', '1h', '1d'].map(parseResolution)).toEqual([5_000, 12_000, 60_000, 300_000, 3_600_000, 86_400_000]);
    expect(parseResolution('soon')).toBeNaN();
  });

  it('15 m at 5 s: one sample per bucket is one unbroken line', () => {
    const s = seriesFromHistory(buckets(180, 5), '5s', 5_000);
    expect(s.cpu).toHaveLength(180);
    expect(s.cpu.every((p) => p[1] != null)).toBe(true);
    expect(s.stepMs).toBe(5_000);
  });

  it('a gap of one sample (or a late one leaving a bucket empty) is not a break', () => {
    const s = seriesFromHistory(buckets(10, 5, (i) => i === 4), '5s', 5_000);
    expect(s.cpu.map((p) => p[1])).toEqual([10, 11, 12, 13, 15, 16, 17, 18, 19]);
  });

  it('a long outage breaks the line with one null where the data stops', () => {
    const s = seriesFromHistory(buckets(60, 5, (i) => i >= 10 && i < 50), '5s', 5_000);
    expect(s.cpu).toHaveLength(21);
    expect(s.cpu[10]).toEqual([T + 10 * 5_000, null]);
    expect(s.cpu[9][1]).toBe(19);
    expect(s.cpu[11]).toEqual([T + 50 * 5_000, 60]);
  });

  it('two missed samples are a gap; with buckets wider than the interval one empty bucket already is', () => {
    expect(gapThresholdMs(5_000, 5_000)).toBe(12_500);
    expect(seriesFromHistory(buckets(10, 5, (i) => i === 4 || i === 5), '5s', 5_000).cpu.some((p) => p[1] == null)).toBe(true);
    expect(seriesFromHistory(buckets(10, 12, (i) => i === 4), '12s', 5_000).cpu.some((p) => p[1] == null)).toBe(true);
  });

  it('one point: kept, isolated, and drawn with a symbol', () => {
    const s = seriesFromHistory(buckets(168, 3600, (i) => i !== 167), '1h', 5_000);
    expect(s.cpu).toEqual([[T + 167 * 3_600_000, 177]]);
    expect(isolatedIndexes(s.cpu)).toEqual([0]);
    expect(withSymbols(s.cpu)).toEqual([{ value: [T + 167 * 3_600_000, 177], symbol: 'circle', symbolSize: 6 }]);
  });

  it('marks only the points without a neighbour', () => {
    const pts = withGaps([[0, 1], [5, 2], [40, 3], [80, 4], [85, 5]], 5, 5);
    expect(pts.map((p) => p[1])).toEqual([1, 2, null, 3, null, 4, 5]);
    expect(isolatedIndexes(pts)).toEqual([3]);
    expect(withSymbols([[0, 1], [5, 2]])).toEqual([[0, 1], [5, 2]]);
  });
});

describe('live samples', () => {
  it('stay bounded and drop points that left the range', () => {
    let s = emptySeries(1_000);
    for (let i = 0; i < MAX_POINTS + 50; i++) s = appendSample(s, sample(T + i * 1000, i % 100), 10 * 86_400_000, T + i * 1000);
    expect(s.cpu).toHaveLength(MAX_POINTS);
    s = appendSample(s, sample(T + 3_600_000, 1), 60_000, T + 3_600_000);
    expect(s.cpu).toEqual([[T + 3_600_000, 1]]); // the break before it left with the rest
    expect(s.rx[0][1]).toBe(2048);
  });

  it('are averaged into the newest bucket on a coarse range', () => {
    let s = seriesFromHistory(buckets(3, 3600), '1h', 5_000); // buckets at T, T+1h, T+2h
    s = appendSample(s, sample(T + 2 * 3_600_000 + 10_000, 20), 7 * 86_400_000, T + 3 * 3_600_000);
    expect(s.cpu.at(-1)).toEqual([T + 2 * 3_600_000, (12 + 20) / 2]);
    s = appendSample(s, sample(T + 2 * 3_600_000 + 15_000, 30), 7 * 86_400_000, T + 3 * 3_600_000);
    expect(s.cpu.at(-1)).toEqual([T + 2 * 3_600_000, (12 + 20 + 30) / 3]);
    s = appendSample(s, sample(T + 3 * 3_600_000 + 1_000, 40), 7 * 86_400_000, T + 3 * 3_600_000);
    expect(s.cpu.slice(-2)).toEqual([[T + 2 * 3_600_000, (12 + 20 + 30) / 3], [T + 3 * 3_600_000, 40]]);
  });

  it('ignore duplicates and out-of-order samples, and break the line after a silence', () => {
    let s = seriesFromHistory(buckets(3, 5), '5s', 5_000);
    expect(appendSample(s, sample(T + 5_000, 99), 900_000, T + 20_000)).toBe(s);
    s = appendSample(s, sample(T + 15_000, 13), 900_000, T + 20_000);
    expect(s.cpu).toHaveLength(4);
    s = appendSample(s, sample(T + 60_000, 14), 900_000, T + 60_000);
    expect(s.cpu.slice(-2)).toEqual([[T + 20_000, null], [T + 60_000, 14]]);
  });
});

describe('per-interface, per-mount and disk I/O series', () => {
  const at = (i: number, step = 60_000) => new Date(T + i * step).toISOString();
  const pts = (n: number, step = 60_000) => Array.from({ length: n }, (_, i) => point(T + i * step, 1));

  it('one point: a single bucket is a line of one point, drawn with a symbol', () => {
    const d = detailFromHistory({ resolution: '1m', points: pts(3), series: {
      network: [{ iface: 'eth0', rxBps: [null, 500, null], txBps: [null, 20, null], rxBpsMax: [null, 500, null], txBpsMax: [null, 20, null] }],
    } }, 5_000);
    expect(d.network[0].rx).toEqual([[T + 60_000, 500]]);
    expect(withSymbols(d.network[0].rx)).toEqual([{ value: [T + 60_000, 500], symbol: 'circle', symbolSize: 6 }]);
    expect(d.mounts).toEqual([]);
    expect(d.read).toEqual([]);
    expect(at(0)).toBe(new Date(T).toISOString());
  });

  it('a gap: empty buckets in the middle break each line once, per interface', () => {
    const col = [1, 2, null, null, null, 6];
    const d = detailFromHistory({ resolution: '1m', points: pts(6), series: {
      network: [{ iface: 'eth0', rxBps: col, txBps: col, rxBpsMax: col, txBpsMax: col }, { iface: 'ens5', rxBps: [1, 2, 3, 4, 5, 6], txBps: [1, 2, 3, 4, 5, 6], rxBpsMax: [], txBpsMax: [] }],
      mounts: [{ mount: '/', percent: [40, null, 41, 41, 41, 41], percentMax: [] }],
      diskIo: { readBps: [null, null, null, null, null, null], writeBps: [5, 5, 5, 5, 5, 5], readBpsMax: [], writeBpsMax: [] },
    } }, 5_000);
    expect(d.network[0].rx).toEqual([[T, 1], [T + 60_000, 2], [T + 120_000, null], [T + 300_000, 6]]);
    expect(d.network[1].rx.every((p) => p[1] != null)).toBe(true);
    expect(d.mounts[0].percent).toEqual([[T, 40], [T + 60_000, null], [T + 120_000, 41], [T + 180_000, 41], [T + 240_000, 41], [T + 300_000, 41]]);
    expect(hasValues(d.read)).toBe(false);
    expect(d.write).toHaveLength(6);
  });

  it('received and sent lines per interface share a colour; the axis has one unit for all of them', () => {
    const d = detailFromHistory({ resolution: '1m', points: pts(2), series: {
      network: [
        { iface: 'eth0', rxBps: [3 * 1024 ** 2, 1024 ** 2], txBps: [512, 512], rxBpsMax: [], txBpsMax: [] },
        { iface: 'wlan0', rxBps: [10, 20], txBps: [30, 40], rxBpsMax: [], txBpsMax: [] },
      ],
    } }, 5_000);
    const lines = networkLines(d);
    expect(lines.map((l) => [l.name, l.color, l.dashed])).toEqual([
      ['eth0 received', 0, false], ['eth0 sent', 0, true], ['wlan0 received', 1, false], ['wlan0 sent', 1, true],
    ]);
    const option = namedLinesData('bps', { startMs: T, endMs: T + 120_000, widthPx: 600 }, lines) as any;
    const labels = [0, 1, 2, 3, 4].map((k) => option.yAxis.axisLabel.formatter(k * option.yAxis.interval));
    expect(labels.every((l: string) => l.endsWith(' MiB/s'))).toBe(true);
    // wlan0 alone: bytes per second
    const small = namedLinesData('bps', { startMs: T, endMs: T + 120_000, widthPx: 600 }, lines.slice(2)) as any;
    expect(small.yAxis.axisLabel.formatter(small.yAxis.interval)).toMatch(/ B\/s$/);
    expect(mountLines({ ...d, mounts: [{ mount: '/', percent: [] }] }).map((l) => l.name)).toEqual(['/']);
  });

  it('swap comes from the history points and from live samples (none without swap)', () => {
    const withSwap = [point(T, 1), point(T + 5_000, 1)].map((p, i) => ({ ...p, swapPercent: 10 + i }));
    const s = seriesFromHistory(withSwap, '5s', 5_000);
    expect(s.swap).toEqual([[T, 10], [T + 5_000, 11]]);
    const live = sample(T + 10_000, 5);
    const next = appendSample(s, { ...live, memory: { ...live.memory, swapTotalBytes: 1000, swapUsedBytes: 250 } }, 3_600_000, T + 10_000);
    expect(next.swap[next.swap.length - 1]).toEqual([T + 10_000, 25]);
    const noSwap = appendSample(next, sample(T + 15_000, 5), 3_600_000, T + 15_000);
    expect(noSwap.swap[noSwap.swap.length - 1]).toEqual([T + 15_000, null]);
  });

  it('live samples extend them at the same step: a missing interface breaks, a new one starts, virtual ones are skipped', () => {
    const h = { resolution: '5s', points: pts(2, 5_000), series: {
      network: [{ iface: 'eth0', rxBps: [1, 2], txBps: [3, 4], rxBpsMax: [], txBpsMax: [] }, { iface: 'wlan0', rxBps: [5, 6], txBps: [7, 8], rxBpsMax: [], txBpsMax: [] }],
      mounts: [{ mount: '/', percent: [40, 41], percentMax: [] }],
      diskIo: { readBps: [1, 1], writeBps: [2, 2], readBpsMax: [], writeBpsMax: [] },
    } };
    const before = seriesFromHistory(h.points, '5s', 5_000);
    const d = detailFromHistory(h, 5_000);
    const live = { ...sample(T + 10_000, 5), disks: [{ mount: '/data', fs: 'x', type: 'xfs', totalBytes: 1, usedBytes: 1, percent: 70 }, { mount: '/', fs: 'x', type: 'ext4', totalBytes: 1, usedBytes: 1, percent: 42 }],
      network: [{ iface: 'eth0', rxBytes: 1, txBytes: 1, rxBps: 9, txBps: 10 }, { iface: 'veth1', rxBytes: 1, txBytes: 1, rxBps: 1, txBps: 1 }, { iface: 'enp1s0', rxBytes: 1, txBytes: 1, rxBps: 11, txBps: 12 }],
      diskIo: { readBps: 100, writeBps: 200 } };
    const next = appendDetail(d, before, live, 3_600_000, T + 10_000);
    expect(next.network.map((n) => n.iface)).toEqual(['eth0', 'wlan0', 'enp1s0']); // new lines last: colours stay
    expect(next.network[0].rx.at(-1)).toEqual([T + 10_000, 9]);
    expect(next.network[1].rx.at(-1)).toEqual([T + 10_000, null]); // wlan0 stopped reporting
    expect(next.network[2].tx).toEqual([[T + 10_000, 12]]);
    expect(next.mounts.map((m) => [m.mount, m.percent.at(-1)])).toEqual([['/', [T + 10_000, 42]], ['/data', [T + 10_000, 70]]]);
    expect(next.write.at(-1)).toEqual([T + 10_000, 200]);
    // the same sample again (a duplicate, as the fleet-wide series see it) changes nothing
    expect(appendDetail(next, appendSample(before, live, 3_600_000, T + 10_000), live, 3_600_000, T + 10_000)).toBe(next);
  });
});
