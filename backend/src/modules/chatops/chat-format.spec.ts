import { ago, bytes, duration, MAX_ROWS, pct, splitOutput, table, tail } from './chat-format';

describe('chat reply formatting', () => {
  it('writes sizes, percentages and durations the way people read them', () => {
    expect([bytes(0), bytes(1023), bytes(1536), bytes(8e9), bytes(null)]).toEqual(['0 B', '1023 B', '1.5 KiB', '7.5 GiB', '—']);
    expect([pct(42), pct(NaN), pct(undefined)]).toEqual(['42.0 %', '—', '—']);
    expect([duration(59), duration(3660), duration(90_000), duration(null)]).toEqual(['0m 59s', '1h 1m', '1d 1h', '—']);
    expect(ago('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z'))).toBe('5 min ago');
    expect(ago(null)).toBe('never');
  });

  it('keeps the end of long output and says how much was cut', () => {
    expect(tail('abc', 5)).toBe('abc');
    expect(tail('0123456789', 4)).toBe('… (6 earlier characters cut)\n6789');
  });

  it('splits long output into pieces within the limit, at line ends when it can, losing nothing', () => {
    expect(splitOutput('', 10)).toEqual(['']);
    expect(splitOutput('short', 10)).toEqual(['short']);
    expect(splitOutput('aaaa\nbbbb\ncccc\n', 10)).toEqual(['aaaa\nbbbb\n', 'cccc\n']);
    expect(splitOutput('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const text = Array.from({ length: 500 }, (_, i) => `line ${i} ${'#'.repeat(i % 37)}`).join('\n');
    const pieces = splitOutput(text, 2900);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => p.length <= 2900)).toBe(true);
    expect(pieces.slice(0, -1).every((p) => p.endsWith('\n'))).toBe(true);
  });

  it('caps tables and counts the rows left out', () => {
    const rows = Array.from({ length: MAX_ROWS + 3 }, (_, i) => [String(i)]);
    expect(table(['n'], rows)).toEqual({ columns: ['n'], rows: rows.slice(0, MAX_ROWS), omitted: 3 });
    expect(table(['n'], rows.slice(0, 2))).toEqual({ columns: ['n'], rows: rows.slice(0, 2) });
  });
});
