import { planHistory } from './history-plan';

const retention = { rawDays: 7, minuteDays: 90, hourDays: 730 };
const now = new Date('2026-11-27T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const H = 3_600_000;
const D = 24 * H;

describe('planHistory', () => {
  it.each([
    ['15m', 0.25 * H, 'raw', 5], // 3 s would be finer than the agent's 5 s samples
    ['1h', H, 'raw', 12],
    ['6h', 6 * H, '1m', 120],
    ['24h', D, '1m', 300],
    ['7d', 7 * D, '1h', 3600],
    ['30d', 30 * D, '1h', 10800],
  ])('%s at 300 points reads the %s tier with %is buckets', (_label, span, tier, bucketSec) => {
    const p = planHistory({ start: ago(span), end: now.toISOString(), points: 300 }, retention, now);
    expect(p.tier).toBe(tier);
    expect(p.bucketSec).toBe(bucketSec);
    const buckets = Math.ceil((p.end.getTime() - p.start.getTime()) / 1000 / p.bucketSec);
    expect(buckets).toBeLessThanOrEqual(300);
    expect(buckets).toBeGreaterThanOrEqual(150); // never much coarser than asked
  });

  it('never makes a bucket narrower than the agent interval, so an empty bucket is a missed sample', () => {
    const at = (span: number, intervalSec: number) =>
      planHistory({ start: ago(span), end: now.toISOString(), points: 300 }, retention, now, intervalSec);
    expect(at(0.25 * H, 1).bucketSec).toBe(3); // a 1 s agent: 300 buckets of 3 s
    expect(at(0.25 * H, 5).bucketSec).toBe(5); // 180 buckets, one sample each
    expect(at(0.25 * H, 10).bucketSec).toBe(10);
    expect(at(H, 30).bucketSec).toBe(30);
    // a slow agent on a rollup tier: whole minutes, at least the interval
    const slow = at(6 * H, 150);
    expect(slow.tier).toBe('1m');
    expect(slow.bucketSec).toBe(180);
  });

  it('moves to a coarser tier when the range starts before the finer tier is kept', () => {
    const oldHour = planHistory({ start: ago(10 * D), end: ago(10 * D - H), points: 300 }, retention, now);
    expect(oldHour.tier).toBe('1m');
    const ancient = planHistory({ start: ago(100 * D), end: ago(99 * D), points: 300 }, retention, now);
    expect(ancient.tier).toBe('1h');
  });

  it('aligns the start to the tier and never returns more than `points` buckets', () => {
    for (const points of [1, 7, 300, 2000]) {
      for (const span of [H + 17_000, D + 61_000, 7 * D + 3_599_000]) {
        const p = planHistory({ start: new Date(now.getTime() - span - 12_345).toISOString(), end: now.toISOString(), points }, retention, now);
        const step = { raw: 1, '1m': 60, '1h': 3600 }[p.tier] * 1000;
        expect(p.start.getTime() % step).toBe(0);
        expect(p.bucketSec * 1000 % step).toBe(0);
        expect(Math.ceil((p.end.getTime() - p.start.getTime()) / 1000 / p.bucketSec)).toBeLessThanOrEqual(points);
      }
    }
  });

  it('defaults to the last hour at 300 points and rejects inverted or huge ranges', () => {
    const p = planHistory({}, retention, now);
    expect(p.end).toEqual(now);
    expect(p.start.toISOString()).toBe(ago(H));
    expect(() => planHistory({ start: now.toISOString(), end: ago(H) }, retention, now)).toThrow('start must be before end');
    expect(() => planHistory({ start: ago(800 * D), end: now.toISOString() }, retention, now)).toThrow('two years');
  });
});
