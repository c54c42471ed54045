import type { ChatReply, MetricsSample } from '@chatops/protocol';

/** Largest text block a reply carries (a Slack section holds 3,000 characters; a little less leaves room). */
export const MAX_TEXT = 2900;
/** Rows a table shows before it says how many it left out. */
export const MAX_ROWS = 25;

export const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(1)} %`);
export const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
  return `${x.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(sec % 60)}s`;
}

/** "3 min ago" style, from an ISO time. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** The fullest disk of a sample (what people worry about). */
export function fullestDisk(sample: MetricsSample): { mount: string; percent: number } | null {
  let best: { mount: string; percent: number } | null = null;
  for (const d of sample.disks) if (!best || d.percent > best.percent) best = { mount: d.mount, percent: d.percent };
  return best;
}

/** Keeps the end of a long text (the newest output), saying how much was cut. */
/**
 * Output a chat door's late answer may carry (Slack and Mattermost get it as several messages to
 * `response_url`, each within MAX_TEXT): four messages' worth.
 */
export const MAX_DOOR_TEXT = 4 * MAX_TEXT;

/**
 * Splits output into pieces of at most `max` characters, at line ends where a line end is in the
 * second half of a piece (so lines stay whole when they can), in order.
 */
export function splitOutput(text: string, max = MAX_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const nl = rest.lastIndexOf('\n', max - 1);
    const at = nl >= max / 2 ? nl + 1 : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest || !pieces.length) pieces.push(rest);
  return pieces;
}

export function tail(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  return `… (${text.length - max} earlier characters cut)\n${text.slice(text.length - max)}`;
}

/** Rows beyond MAX_ROWS are left out and counted. */
export function table(columns: string[], rows: string[][]): NonNullable<ChatReply['table']> {
  return rows.length > MAX_ROWS ? { columns, rows: rows.slice(0, MAX_ROWS), omitted: rows.length - MAX_ROWS } : { columns, rows };
}

export const short8 = (id: string) => id.slice(0, 8);
