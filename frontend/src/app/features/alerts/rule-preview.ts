import type { Comparison, HistoryPoint, MetricType } from '@chatops/protocol';

/** How a rule would have behaved over stored history (the rules editor's preview). */
export interface RulePreview { fires: number; firingBuckets: number; buckets: number; resolution: string }

type Field = keyof Omit<HistoryPoint, 'timestamp'>;
/** The history field a host rule reads: the bucket maximum where one is kept (a "greater than" rule sees the peaks), else the average. */
const FIELDS: Partial<Record<MetricType, { avg: Field; max?: Field }>> = {
  cpu: { avg: 'cpuPercent', max: 'cpuPercentMax' },
  memory: { avg: 'memoryPercent', max: 'memoryPercentMax' },
  disk: { avg: 'diskPercent' },
  swap: { avg: 'swapPercent' },
  load1: { avg: 'load1', max: 'load1Max' },
  network_rx: { avg: 'netRxBps', max: 'netRxBpsMax' },
  network_tx: { avg: 'netTxBps', max: 'netTxBpsMax' },
};

/** Whether stored history keeps this metric (host metrics; not containers or events). */
export const keptInHistory = (m: MetricType) => !!FIELDS[m];

/** The stored history of a host metric, bucket by bucket (null: not kept for that metric, or no data). */
export function historyValue(m: MetricType, p: HistoryPoint, peak = false): number | null {
  const f = FIELDS[m];
  if (!f) return null;
  return (peak && f.max ? p[f.max] : null) ?? p[f.avg];
}

/** Whether history can answer for this rule: one server, a host metric, the default target (`/`, all interfaces). */
export function canPreview(r: { serverId: string; metricType: MetricType; target: string }): boolean {
  const t = r.target.trim();
  if (!r.serverId || !FIELDS[r.metricType]) return false;
  if (r.metricType === 'disk') return !t || t === '/';
  return !t;
}

const compare = (v: number, c: Comparison, ref: number) =>
  c === 'gt' ? v > ref : c === 'gte' ? v >= ref : c === 'lt' ? v < ref : c === 'lte' ? v <= ref : v === ref;

export function resolutionSec(res: string): number {
  const m = /^(\d+)([smhd])$/.exec(res);
  if (!m) return 0;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * Replays the engine's states (ok → pending → firing → ok) over history buckets: the condition
 * must hold `durationSec` (bucket by bucket), a firing alert clears past `clearValue` (or the
 * threshold). Buckets without data keep the state. An estimate: buckets are coarser than samples.
 */
export function previewRule(
  rule: { metricType: MetricType; comparison: Comparison; thresholdValue: number; clearValue: number | null; durationSec: number },
  points: readonly HistoryPoint[],
  resolution: string,
): RulePreview {
  const f = FIELDS[rule.metricType];
  const width = resolutionSec(resolution) * 1000;
  let state: 'ok' | 'pending' | 'firing' = 'ok';
  let since = 0;
  let fires = 0;
  let firingBuckets = 0;
  for (const p of points) {
    if (!f) break;
    const up = rule.comparison === 'gt' || rule.comparison === 'gte';
    const v = (up && f.max ? p[f.max] : null) ?? p[f.avg];
    if (v == null) continue;
    const t = Date.parse(p.timestamp);
    const breach = compare(v, rule.comparison, rule.thresholdValue);
    if (state === 'firing') {
      const holds = rule.clearValue != null && rule.comparison !== 'eq' ? compare(v, rule.comparison, rule.clearValue) : breach;
      if (!holds) state = 'ok';
    } else if (breach) {
      if (state === 'ok') {
        state = 'pending';
        since = t;
      }
      if (t + width - since >= rule.durationSec * 1000) {
        state = 'firing';
        fires++;
      }
    } else {
      state = 'ok';
    }
    if (state === 'firing') firingBuckets++;
  }
  return { fires, firingBuckets, buckets: points.length, resolution };
}
