/** The shortest range a selection may pick: a narrower drag is widened around its middle. */
export const MIN_ZOOM_MS = 60_000;

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/**
 * The range a `datazoom` event selected, from a drag on a chart (the select zoom sends
 * `batch: [{ startValue, endValue }]` in axis values, i.e. epoch ms); null for zooms given in
 * percentages, such as the page's own reset to 0–100 %.
 */
export function zoomRange(event: unknown): TimeRange | null {
  const e = event as { batch?: { startValue?: unknown; endValue?: unknown }[]; startValue?: unknown; endValue?: unknown } | null;
  const item = e?.batch?.find((b) => typeof b.startValue === 'number' && typeof b.endValue === 'number') ?? e;
  const start = item?.startValue, end = item?.endValue;
  if (typeof start !== 'number' || typeof end !== 'number' || !Number.isFinite(start) || !Number.isFinite(end)) return null;
  let startMs = Math.round(Math.min(start, end)), endMs = Math.round(Math.max(start, end));
  if (endMs - startMs < MIN_ZOOM_MS) {
    const mid = (startMs + endMs) / 2;
    startMs = Math.round(mid - MIN_ZOOM_MS / 2);
    endMs = startMs + MIN_ZOOM_MS;
  }
  return { startMs, endMs };
}

const pad = (n: number) => String(n).padStart(2, '0');
const hm = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = (d: Date) => `${MONTHS[d.getMonth()]} ${d.getDate()}`;

/** "Nov 29 14:02–14:20", or "Nov 28 22:00 – Nov 29 06:00" across days (local time). */
export function customRangeLabel(r: TimeRange): string {
  const a = new Date(r.startMs), b = new Date(r.endMs);
  return day(a) === day(b) ? `${day(a)} ${hm(a)}–${hm(b)}` : `${day(a)} ${hm(a)} – ${day(b)} ${hm(b)}`;
}
