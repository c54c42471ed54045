/** Per-second rate of a monotonically increasing counter; 0 without a previous reading or on a counter reset. */
export function counterRate(prev: number | undefined, cur: number, dtSec: number): number {
  if (prev === undefined || !(dtSec > 0) || cur < prev) return 0;
  return round2((cur - prev) / dtSec);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function clampPercent(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return n > 100 ? 100 : round2(n);
}
