import { formatOnScale, timeLabel, timeSplitNumber, timeTicks, unitFor, valueScale } from './axis-scale';
import { zoomRange, customRangeLabel, MIN_ZOOM_MS } from './zoom-range';

const labels = (kind: 'bps' | 'plain' | 'percent', max: number) => {
  const s = valueScale(kind, max);
  const out: string[] = [];
  for (let v = 0; v <= s.max + 1e-9; v += s.interval) out.push(formatOnScale(s, v));
  return out;
};

describe('value axis', () => {
  it('uses one unit per axis, chosen from the largest value', () => {
    expect(unitFor('bps', 1000).label).toBe('B/s');
    expect(unitFor('bps', 1200).label).toBe('KiB/s');
    expect(unitFor('bps', 5 * 1024 ** 2).label).toBe('MiB/s');
    // Was "1000 B/s" next to "1.2 KiB/s": now every label in KiB/s.
    expect(labels('bps', 1300)).toEqual(['0.0 KiB/s', '0.5 KiB/s', '1.0 KiB/s', '1.5 KiB/s']);
    expect(labels('bps', 900)).toEqual(['0 B/s', '250 B/s', '500 B/s', '750 B/s', '1000 B/s']);
  });

  it('never repeats a label at tiny values (no step finer than 1 B/s)', () => {
    expect(labels('bps', 0.4)).toEqual(['0 B/s', '1 B/s']);
    expect(labels('bps', 3)).toEqual(['0 B/s', '1 B/s', '2 B/s', '3 B/s']);
    expect(labels('bps', 0)).toEqual(['0 B/s', '1 B/s', '2 B/s', '3 B/s', '4 B/s']);
    const many = labels('bps', 7.3);
    expect(new Set(many).size).toBe(many.length);
  });

  it('gives every label of an axis the same decimals', () => {
    expect(labels('plain', 0.9)).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
    expect(labels('plain', 3.2)).toEqual(['0', '1', '2', '3', '4']);
    expect(labels('percent', 3)).toEqual(['0%', '25%', '50%', '75%', '100%']);
    expect(formatOnScale(valueScale('bps', 1300), 1234, 1)).toBe('1.21 KiB/s'); // tooltips: one more decimal
  });
});

describe('time axis', () => {
  it('fits the labels to the width: a 390 px phone gets a few, a wide screen more', () => {
    expect(timeSplitNumber(340)).toBe(4);
    expect(timeSplitNumber(600)).toBe(8);
    expect(timeSplitNumber(1400)).toBe(8);
    expect(timeSplitNumber(100)).toBe(2);
  });

  it('puts ticks on round local times, evenly, within the range', () => {
    const at = (h: number, m = 0, d = 29) => new Date(2026, 10, d, h, m).getTime();
    // 1 h from 03:23 with room for 3 labels: every 30 min (never "03:50, 04:05")
    expect(timeTicks(at(3, 23), at(4, 23), 3)).toEqual([at(3, 30), at(4, 0)]);
    expect(timeTicks(at(3, 23), at(4, 23), 7)).toEqual([at(3, 30), at(3, 40), at(3, 50), at(4, 0), at(4, 10), at(4, 20)]);
    const week = timeTicks(at(10, 0, 22), at(10, 0, 29), 7);
    expect(week).toHaveLength(7);
    expect(week.every((t) => new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0)).toBe(true);
    const month = timeTicks(at(10, 0, 1) - 30 * 86_400_000, at(10, 0, 1), 3);
    expect(month.length).toBeLessThanOrEqual(3);
    expect(month.length).toBeGreaterThanOrEqual(2);
    expect(timeTicks(5, 5, 4)).toEqual([]);
  });

  it('labels hours up to a day and a half, days beyond, with a space ("Nov 2", not "Nov2")', () => {
    const t = new Date(2026, 10, 2, 14, 5).getTime();
    expect(timeLabel(t, 3_600_000)).toBe('14:05');
    expect(timeLabel(t, 24 * 3_600_000)).toBe('14:05');
    expect(timeLabel(t, 3 * 86_400_000)).toBe('Nov 2 14:05');
    expect(timeLabel(new Date(2026, 10, 2).getTime(), 3 * 86_400_000)).toBe('Nov 2');
    expect(timeLabel(t, 30 * 86_400_000)).toBe('Nov 2');
  });
});

describe('zoom selection', () => {
  it('reads the range a drag selected, ignores percent zooms and widens tiny selections', () => {
    expect(zoomRange({ batch: [{ startValue: 1000.4, endValue: 200_000 }] })).toEqual({ startMs: 1000, endMs: 200_000 });
    expect(zoomRange({ batch: [{ start: 0, end: 100 }] })).toBeNull();
    expect(zoomRange({ start: 0, end: 100 })).toBeNull();
    const tiny = zoomRange({ batch: [{ startValue: 100_000, endValue: 110_000 }] })!;
    expect(tiny.endMs - tiny.startMs).toBe(MIN_ZOOM_MS);
    expect((tiny.startMs + tiny.endMs) / 2).toBe(105_000);
  });

  it('names the range', () => {
    expect(customRangeLabel({ startMs: new Date(2026, 10, 29, 14, 2).getTime(), endMs: new Date(2026, 10, 29, 14, 20).getTime() })).toBe('Nov 29 14:02–14:20');
    expect(customRangeLabel({ startMs: new Date(2026, 10, 28, 22, 0).getTime(), endMs: new Date(2026, 10, 29, 6, 0).getTime() })).toBe('Nov 28 22:00 – Nov 29 06:00');
  });
});
