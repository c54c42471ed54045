import { parseLogTime } from './log-time';

describe('parseLogTime', () => {
  it.each([
    ['1767225600', 1767225600],
    ['1767225600.25', 1767225600.25],
    ['0', 0],
    ['2026-01-01T00:00:00Z', 1767225600],
    ['2026-01-01T01:00:00+01:00', 1767225600],
    ['2026-01-01T00:00:00.5Z', 1767225600.5],
    [1767225600, 1767225600],
  ])('reads %j as unix seconds', (value, seconds) => expect(parseLogTime(value)).toBe(seconds));

  it.each([
    'yesterday', '2026-01-01', '2026-01-01T00:00:00', '-1', '1e9', '', ' ', '99999999999999', 'NaN', -5, Number.NaN, null, {}, true,
  ])('refuses %j', (value) => expect(parseLogTime(value)).toBeNull());
});
