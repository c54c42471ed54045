/**
 * Axis scales for the history charts, chosen here rather than by ECharts so that every label of an
 * axis has the same unit and the same number of decimals ("0", "0.5", "1.0 KiB/s" is what ECharts'
 * per-label formatting gave: mixed units, and "1 B/s" repeated at tiny values).
 */

export type ValueKind = 'percent' | 'bps' | 'plain';

export interface AxisUnit {
  /** Shown after the number ("%", "KiB/s", "" for plain). */
  label: string;
  /** Raw value per one unit. */
  factor: number;
}

export interface ValueScale {
  min: 0;
  max: number;
  interval: number;
  unit: AxisUnit;
  /** Decimals that tell every tick apart (same for every label of the axis). */
  decimals: number;
}

const BPS_UNITS: AxisUnit[] = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'].map((label, i) => ({ label, factor: 1024 ** i }));

/** The one unit an axis uses: the largest whose factor the top of the axis reaches. */
export function unitFor(kind: ValueKind, max: number): AxisUnit {
  if (kind === 'percent') return { label: '%', factor: 1 };
  if (kind === 'plain') return { label: '', factor: 1 };
  let unit = BPS_UNITS[0];
  for (const u of BPS_UNITS) if (max >= u.factor) unit = u;
  return unit;
}

/** A round step (1, 2, 2.5 or 5 × 10^n) at least `raw`. */
function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw * (1 - 1e-9)) return m * pow;
  return 10 * pow;
}

/**
 * A scale from 0 to a round top above `dataMax`, with about `ticks` intervals, in one unit. Byte
 * rates are stepped in the chosen unit (0, 256, 512 … B/s would read badly as KiB/s otherwise) and
 * never finer than 1 B/s; plain values (load) never finer than 0.01. Percent is always 0–100.
 */
export function valueScale(kind: ValueKind, dataMax: number, ticks = 4): ValueScale {
  if (kind === 'percent') return { min: 0, max: 100, interval: 25, unit: unitFor(kind, 100), decimals: 0 };
  const floor = kind === 'bps' ? 1 : 0.01;
  const top = Number.isFinite(dataMax) && dataMax > 0 ? dataMax : floor * ticks;
  const unit = unitFor(kind, top);
  const inUnit = top / unit.factor;
  const step = Math.max(niceStep(inUnit / ticks), floor / unit.factor);
  const max = Math.ceil(inUnit / step - 1e-9) * step;
  return { min: 0, max: max * unit.factor, interval: step * unit.factor, unit, decimals: decimalsOf(step) };
}

/** The decimals a step needs to be written exactly (0.25 → 2, 2.5 → 1, 20 → 0), at most 3. */
function decimalsOf(step: number): number {
  for (let d = 0; d < 3; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d;
  }
  return 3;
}

/** A label of a {@link ValueScale} axis: "1.5 KiB/s", "40%", "0.25". */
export function formatOnScale(scale: ValueScale, v: number, extraDecimals = 0): string {
  const n = (v / scale.unit.factor).toFixed(scale.decimals + extraDecimals);
  if (!scale.unit.label) return n;
  return scale.unit.label === '%' ? `${n}%` : `${n} ${scale.unit.label}`;
}

/** The largest value of some series (0 when none has a value). */
export function maxOf(...series: [number, number | null][][]): number {
  let max = 0;
  for (const s of series) for (const [, v] of s) if (v != null && v > max) max = v;
  return max;
}

/** Pixels a time label needs, with room between neighbours ("Nov 29" or "14:35"). */
const TIME_LABEL_PX = 60;

/** How many intervals the time axis can label in `widthPx` without two labels touching. */
export function timeSplitNumber(widthPx: number, gridPx = 72): number {
  return Math.max(2, Math.min(8, Math.floor((widthPx - gridPx) / TIME_LABEL_PX)));
}

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
/** Tick steps a time axis may use: round in local time. */
const TIME_STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY];

/**
 * The ticks (and labels) of a time axis: at most `maxTicks`, evenly spaced at a round step, on round
 * local times (14:00, 14:15 …; midnights for days). ECharts' own time ticks mix levels ("03:50",
 * "04:05") when the axis starts at an odd time; these are given to it as `customValues`.
 */
export function timeTicks(startMs: number, endMs: number, maxTicks: number): number[] {
  const span = endMs - startMs;
  if (!(span > 0)) return [];
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / (7 * DAY)) * 7 * DAY;
  const first = new Date(startMs);
  first.setHours(0, 0, 0, 0); // local midnight: steps of a day or less divide a day
  const ticks: number[] = [];
  if (step < DAY) {
    const base = first.getTime();
    for (let t = base + Math.ceil((startMs - base) / step) * step; t <= endMs; t += step) ticks.push(t);
  } else {
    const days = step / DAY;
    while (first.getTime() < startMs) first.setDate(first.getDate() + 1);
    // Whole-day steps counted from the epoch day, so the same days are labelled as the range moves.
    while (Math.round(first.getTime() / DAY) % days !== 0) first.setDate(first.getDate() + 1);
    for (const d = first; d.getTime() <= endMs; d.setDate(d.getDate() + days)) ticks.push(d.getTime());
  }
  return ticks;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time-axis label in local time, one format per axis so labels line up: "14:35" up to a day and a
 * half, "Nov 29" beyond (with the hour, "Nov 29 12:00", only where a tick is not at midnight and the
 * range is under a week, so a 30 d axis never tries to fit hours).
 */
export function timeLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (spanMs <= 36 * 3_600_000) return hm;
  const day = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  return spanMs < 7 * 86_400_000 && hm !== '00:00' ? `${day} ${hm}` : day;
}
