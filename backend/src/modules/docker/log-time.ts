/** Latest time a log query may name (unix seconds): year 9999, well inside what Docker parses. */
const MAX_UNIX_SEC = 253_402_300_799;
const UNIX_SECONDS = /^\d{1,12}(\.\d{1,9})?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * `since` / `until` of a logs query: ISO-8601 with a zone (`2026-01-01T10:00:00Z`) or unix seconds
 * (`1767261600`, `1767261600.5`), as Docker's API takes them. Returns unix seconds, or null when the
 * value is neither.
 */
export function parseLogTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= MAX_UNIX_SEC ? value : null;
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (UNIX_SECONDS.test(v)) {
    const n = Number(v);
    return n <= MAX_UNIX_SEC ? n : null;
  }
  if (!ISO_8601.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) || ms < 0 ? null : ms / 1000;
}
