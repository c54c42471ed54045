import type { HistoryPoint, MetricsSample } from '@chatops/protocol';

/** One chart point per series: [epoch ms, value]; null breaks the line (charts use connectNulls: false). */
export type SeriesPoint = [number, number | null];

export interface MetricSeries {
  cpu: SeriesPoint[];
  memory: SeriesPoint[];
  load1: SeriesPoint[];
  /** Swap used, percent (none on a host without swap). */
  swap: SeriesPoint[];
  rx: SeriesPoint[];
  tx: SeriesPoint[];
  /** Width of one bucket (the history's resolution; live samples are averaged into buckets this wide). */
  stepMs: number;
  /** Buckets are `originMs + k * stepMs` (the history's aligned start). */
  originMs: number;
  /** The agent's sample interval. */
  intervalMs: number;
  /** Live samples averaged into the newest bucket so far (0: it came from the history). */
  tailCount: number;
}

/** Upper bound per series: the history (≤ 300 buckets) plus hours of live samples. */
export const MAX_POINTS = 2_000;
/** Live samples are averaged into buckets this wide or wider (the rollup tiers), drawn as they come below. */
const BUCKET_LIVE_FROM_MS = 60_000;
/** The agent's default interval, for servers whose agent info has none. */
export const DEFAULT_INTERVAL_MS = 5_000;

export const RANGES = [
  { key: '15m', label: '15 min', ms: 15 * 60_000 },
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 days', ms: 30 * 86_400_000 },
] as const;
export type RangeKey = (typeof RANGES)[number]['key'];

type Field = 'cpu' | 'memory' | 'load1' | 'swap' | 'rx' | 'tx';
const FIELDS: Field[] = ['cpu', 'memory', 'load1', 'swap', 'rx', 'tx'];

export function emptySeries(intervalMs = DEFAULT_INTERVAL_MS, stepMs = intervalMs, originMs = 0): MetricSeries {
  return { cpu: [], memory: [], load1: [], swap: [], rx: [], tx: [], stepMs, originMs, intervalMs, tailCount: 0 };
}

/** "12s", "5m", "1h", "1d" (the history's `resolution`) in ms; NaN when it cannot be read. */
export function parseResolution(resolution: string | number): number {
  if (typeof resolution === 'number') return resolution * 1000;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(resolution);
  return m ? Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
}

/**
 * The longest distance between two points that is still drawn as one line. One empty bucket when
 * buckets are as wide as the interval is a late or a single missed sample (a sample 5.1 s after the
 * previous one can leave a 5 s bucket empty), not an outage; one more interval without a sample is a
 * real gap. With wider buckets an empty one already means several missed samples, so it is a gap.
 */
export function gapThresholdMs(stepMs: number, intervalMs: number): number {
  return stepMs + 1.5 * Math.max(intervalMs, 1);
}

/**
 * The chart series of a history answer: empty buckets are dropped, and a single null is put where
 * the data really stops (see {@link gapThresholdMs}), so the line breaks only there.
 */
export function seriesFromHistory(points: HistoryPoint[], resolution: string | number, intervalMs = DEFAULT_INTERVAL_MS): MetricSeries {
  const times = points.map((p) => Date.parse(p.timestamp));
  const stepMs = parseResolution(resolution) || (times.length > 1 ? times[1] - times[0] : intervalMs);
  const s = emptySeries(intervalMs, stepMs, times[0] ?? 0);
  const values: Record<Field, (p: HistoryPoint) => number | null> = {
    cpu: (p) => p.cpuPercent,
    memory: (p) => p.memoryPercent,
    load1: (p) => p.load1,
    swap: (p) => p.swapPercent,
    rx: (p) => p.netRxBps,
    tx: (p) => p.netTxBps,
  };
  for (const f of FIELDS) s[f] = withGaps(points.map((p, i): SeriesPoint => [times[i], values[f](p)]), stepMs, intervalMs);
  return s;
}

/** Keeps the points with a value, with one null after each point followed by a real gap. */
export function withGaps(points: SeriesPoint[], stepMs: number, intervalMs: number): SeriesPoint[] {
  const threshold = gapThresholdMs(stepMs, intervalMs);
  const out: SeriesPoint[] = [];
  let last: number | null = null;
  for (const [t, v] of points) {
    if (v == null) continue;
    if (last != null && t - last > threshold) out.push([last + stepMs, null]);
    out.push([t, v]);
    last = t;
  }
  return out;
}

/** Whether a series has anything to draw. */
export function hasValues(points: SeriesPoint[]): boolean {
  return points.some((p) => p[1] != null);
}

/** Indexes of the points with no neighbour to draw a line to: they need a symbol to be seen at all. */
export function isolatedIndexes(points: SeriesPoint[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (points[i][1] == null) continue;
    const before = i > 0 && points[i - 1][1] != null;
    const after = i < points.length - 1 && points[i + 1][1] != null;
    if (!before && !after) out.push(i);
  }
  return out;
}

/** Swap used, percent; null on a host without swap. */
export function swapPercent(sample: MetricsSample): number | null {
  const m = sample.memory;
  return m.swapTotalBytes > 0 ? (m.swapUsedBytes / m.swapTotalBytes) * 100 : null;
}

export function totalRxBps(sample: MetricsSample): number {
  return sample.network.reduce((sum, n) => sum + n.rxBps, 0);
}
export function totalTxBps(sample: MetricsSample): number {
  return sample.network.reduce((sum, n) => sum + n.txBps, 0);
}

/** Where a live sample goes: its bucket, how many samples that bucket already averages, what is cut off. */
export interface LiveStep {
  bucket: number;
  /** The sample joins the newest bucket (a running mean of `n` samples so far). */
  sameBucket: boolean;
  n: number;
  cutoff: number;
  threshold: number;
  stepMs: number;
}

/**
 * The bucket a live sample goes to on these series (see {@link appendSample}); null when it is
 * out of order, older than the history or a duplicate. Series drawn beside them (the per-interface
 * ones) take the same step, computed before the series are updated.
 */
export function liveStep(series: MetricSeries, sample: MetricsSample, rangeMs: number, now = Date.now()): LiveStep | null {
  const t = Date.parse(sample.timestamp);
  const { stepMs, originMs } = series;
  // Rollup-tier buckets (a minute or more) take live samples as their average; on the raw tier the
  // samples are drawn as they come, a few to a bucket at most.
  const bucketed = stepMs >= BUCKET_LIVE_FROM_MS && stepMs > series.intervalMs;
  const bucket = bucketed ? originMs + Math.floor((t - originMs) / stepMs) * stepMs : t;
  const lastOf = (arr: SeriesPoint[]) => (arr.length ? arr[arr.length - 1] : null);
  const newest = FIELDS.map((f) => lastOf(series[f])).reduce<number | null>((m, p) => (p && (m == null || p[0] > m) ? p[0] : m), null);
  if (newest != null && bucket < newest) return null; // out of order, or older than the history
  const sameBucket = newest === bucket && bucketed;
  if (newest === bucket && !sameBucket) return null; // duplicate sample
  return {
    bucket,
    sameBucket,
    n: sameBucket ? Math.max(series.tailCount, 1) : 0,
    cutoff: Math.min(now, t) - rangeMs,
    threshold: gapThresholdMs(stepMs, series.intervalMs),
    stepMs,
  };
}

/** One series with a live value added at `step` (a new array): averaged into its bucket, after a break when late, trimmed to the range. */
export function appendPoint(arr: SeriesPoint[], v: number | null, step: LiveStep): SeriesPoint[] {
  const { bucket, n, cutoff, threshold, stepMs } = step;
  const last = arr.length ? arr[arr.length - 1] : null;
  let next: SeriesPoint[];
  if (last && last[0] === bucket) {
    const mean = v == null ? last[1] : last[1] == null ? v : (last[1] * n + v) / (n + 1);
    next = arr.slice(0, -1).concat([[bucket, mean]]);
  } else {
    next = last && last[1] != null && bucket - last[0] > threshold ? arr.concat([[last[0] + stepMs, null]]) : arr.slice();
    next.push([bucket, v]);
  }
  let drop = 0;
  while (drop < next.length && next[drop][0] < cutoff) drop++;
  while (drop < next.length && next[drop][1] == null) drop++; // never start with a break
  drop = Math.max(drop, next.length - MAX_POINTS);
  return drop > 0 ? next.slice(drop) : next;
}

/**
 * Adds one live sample to every series (new arrays, so signals notice), like the history would
 * have it: averaged into its bucket on the rollup ranges (a running mean in the newest hour at
 * 7 d), as they come on the raw-tier ranges (15 m, 1 h), after a null when the agent
 * was silent for longer than a gap. Drops points that fell out of the range and keeps each series
 * within MAX_POINTS.
 */
export function appendSample(series: MetricSeries, sample: MetricsSample, rangeMs: number, now = Date.now()): MetricSeries {
  const step = liveStep(series, sample, rangeMs, now);
  if (!step) return series;
  const add = (arr: SeriesPoint[], v: number | null) => appendPoint(arr, v, step);
  return {
    ...series,
    cpu: add(series.cpu, sample.cpu.percent),
    memory: add(series.memory, sample.memory.percent),
    load1: add(series.load1, sample.cpu.load[0]),
    swap: add(series.swap, swapPercent(sample)),
    rx: add(series.rx, totalRxBps(sample)),
    tx: add(series.tx, totalTxBps(sample)),
    tailCount: step.sameBucket ? step.n + 1 : 1,
  };
}
