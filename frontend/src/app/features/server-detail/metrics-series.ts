import type { MetricsSample } from '@chatops/protocol';
import type { HistoryPoint } from '@chatops/protocol';

/** One chart point per series: [epoch ms, value]; null is a gap (charts use connectNulls: false). */
export type SeriesPoint = [number, number | null];

export interface MetricSeries {
  cpu: SeriesPoint[];
  memory: SeriesPoint[];
  load1: SeriesPoint[];
  rx: SeriesPoint[];
  tx: SeriesPoint[];
}

/** Upper bound per series: the history (≤ 300 buckets) plus hours of live samples. */
export const MAX_POINTS = 2_000;

export const RANGES = [
  { key: '15m', label: '15 min', ms: 15 * 60_000 },
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 days', ms: 30 * 86_400_000 },
] as const;
export type RangeKey = (typeof RANGES)[number]['key'];

export function emptySeries(): MetricSeries {
  return { cpu: [], memory: [], load1: [], rx: [], tx: [] };
}

export function seriesFromHistory(points: HistoryPoint[]): MetricSeries {
  const s = emptySeries();
  for (const p of points) {
    const t = Date.parse(p.timestamp);
    s.cpu.push([t, p.cpuPercent]);
    s.memory.push([t, p.memoryPercent]);
    s.load1.push([t, p.load1]);
    s.rx.push([t, p.netRxBps]);
    s.tx.push([t, p.netTxBps]);
  }
  return s;
}

export function totalRxBps(sample: MetricsSample): number {
  return sample.network.reduce((sum, n) => sum + n.rxBps, 0);
}
export function totalTxBps(sample: MetricsSample): number {
  return sample.network.reduce((sum, n) => sum + n.txBps, 0);
}

/**
 * Appends one live sample to every series (new arrays, so signals notice), drops points that
 * fell out of the selected range and keeps each series within MAX_POINTS.
 */
export function appendSample(series: MetricSeries, sample: MetricsSample, rangeMs: number, now = Date.now()): MetricSeries {
  const t = Date.parse(sample.timestamp);
  const cutoff = Math.min(now, t) - rangeMs;
  const add = (arr: SeriesPoint[], v: number | null): SeriesPoint[] => {
    if (arr.length && arr[arr.length - 1][0] >= t) return arr; // duplicate or out-of-order sample
    const next = arr.concat([[t, v]]);
    let drop = 0;
    while (drop < next.length && next[drop][0] < cutoff) drop++;
    drop = Math.max(drop, next.length - MAX_POINTS);
    return drop > 0 ? next.slice(drop) : next;
  };
  return {
    cpu: add(series.cpu, sample.cpu.percent),
    memory: add(series.memory, sample.memory.percent),
    load1: add(series.load1, sample.cpu.load[0]),
    rx: add(series.rx, totalRxBps(sample)),
    tx: add(series.tx, totalTxBps(sample)),
  };
}
