import { MetricsErrorCode, MetricsException } from './metrics.errors';

export type HistoryTier = 'raw' | '1m' | '1h';
export const TIER_SECONDS: Record<HistoryTier, number> = { raw: 1, '1m': 60, '1h': 3600 };
const MAX_RANGE_MS = 2 * 366 * 86_400_000;

export interface HistoryPlan { start: Date; end: Date; points: number; bucketSec: number; tier: HistoryTier }
export interface RetentionDays { rawDays: number; minuteDays: number; hourDays: number }

/** The agent's default sample interval, assumed for agents whose `hello` was stored without one. */
export const DEFAULT_AGENT_INTERVAL_SEC = 5;

/**
 * Chooses the tier and bucket width for a history request: the coarsest stored resolution that
 * still gives at least half of `points` buckets (raw for short ranges, then 1-minute, then hourly
 * rollups), moved to a coarser tier when the range reaches past what the finer one keeps. The start
 * is aligned to the tier so rollup buckets nest in response buckets, and the bucket width is a whole
 * multiple of the tier: never more than `points` buckets.
 *
 * A bucket is never narrower than the agent's sample interval (`intervalSec`): 15 minutes at 300
 * points would be 3 s buckets, and with a sample every 5 s every other bucket would be an empty
 * one, drawn as a gap between two consecutive samples. Fewer points are returned instead.
 */
export function planHistory(
  q: { start?: string; end?: string; points?: number },
  retention: RetentionDays,
  now = new Date(),
  intervalSec = DEFAULT_AGENT_INTERVAL_SEC,
): HistoryPlan {
  const end = q.end ? new Date(q.end) : now;
  const requestedStart = q.start ? new Date(q.start) : new Date(end.getTime() - 3_600_000);
  const points = q.points ?? 300;
  const span = end.getTime() - requestedStart.getTime();
  if (!(span > 0)) throw new MetricsException(MetricsErrorCode.BadRange, 'start must be before end');
  if (span > MAX_RANGE_MS) throw new MetricsException(MetricsErrorCode.BadRange, 'the range may span at most two years');

  const wanted = span / 1000 / points;
  // The coarsest tier whose own resolution still gives at least half the requested points: a week at
  // 300 points reads 168 hourly rows instead of 10,080 minute rows, and still draws a fine line.
  const enough = (tierSec: number) => span / 1000 / tierSec >= points / 2;
  let tier: HistoryTier = wanted >= 3600 || enough(3600) ? '1h' : wanted >= 60 || enough(60) ? '1m' : 'raw';
  const age = now.getTime() - requestedStart.getTime();
  if (tier === 'raw' && age > retention.rawDays * 86_400_000) tier = '1m';
  if (tier === '1m' && age > retention.minuteDays * 86_400_000) tier = '1h';

  const step = TIER_SECONDS[tier];
  const start = new Date(Math.floor(requestedStart.getTime() / (step * 1000)) * step * 1000);
  const alignedSpanSec = (end.getTime() - start.getTime()) / 1000;
  const minBucketSec = Math.max(step, Math.ceil(intervalSec / step) * step);
  const bucketSec = Math.max(minBucketSec, Math.ceil(alignedSpanSec / points / step) * step);
  return { start, end, points, bucketSec, tier };
}

export function formatResolution(sec: number): string {
  if (sec % 86_400 === 0) return `${sec / 86_400}d`;
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  return `${sec}s`;
}
