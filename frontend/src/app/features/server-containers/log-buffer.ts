import type { LogLine } from '@chatops/protocol';
import { AnsiHtml, AnsiLines, stripAnsi } from '../server-commands/ansi-output';

/** Lines the logs viewer keeps; older ones are dropped as new ones arrive (a followed log never grows without bound). */
export const LOG_BUFFER_MAX_LINES = 5_000;

export type StreamFilter = 'all' | 'stdout' | 'stderr';

export interface LogEntry {
  /** Increasing, stable: the track key of the rendered line. */
  id: number;
  stream: 'stdout' | 'stderr';
  /** Without ANSI sequences: searched and downloaded. */
  text: string;
  timestamp: string | null;
  html: AnsiHtml;
}

/** A bounded buffer of log lines rendered to (escaped) ANSI HTML as they arrive. */
export class LogBuffer {
  private ansi = new AnsiLines();
  private nextId = 0;
  private _entries: LogEntry[] = [];
  /** Lines dropped off the front to stay within `max`. */
  dropped = 0;

  constructor(readonly max = LOG_BUFFER_MAX_LINES) {}

  get entries(): LogEntry[] {
    return this._entries;
  }

  /** Appends (oldest first); returns the new entry list (a new array, for signals). */
  append(lines: readonly LogLine[]): LogEntry[] {
    const added = lines.map((l) => ({
      id: this.nextId++, stream: l.stream, text: stripAnsi(l.text), timestamp: l.timestamp ?? null, html: this.ansi.line(l.stream, l.text),
    }));
    const all = this._entries.concat(added);
    const over = all.length - this.max;
    if (over > 0) this.dropped += over;
    this._entries = over > 0 ? all.slice(over) : all;
    return this._entries;
  }

  clear(): LogEntry[] {
    this.ansi = new AnsiLines();
    this.dropped = 0;
    this._entries = [];
    return this._entries;
  }
}

/** The lines shown: one stream or both, and only those containing the search text (case-insensitive). */
export function filterLines(entries: readonly LogEntry[], stream: StreamFilter, query: string): LogEntry[] {
  const q = query.trim().toLowerCase();
  return entries.filter((e) => (stream === 'all' || e.stream === stream) && (!q || e.text.toLowerCase().includes(q)));
}

/** Shown timestamps: `2026-11-29 04:01:02.123` (UTC, milliseconds) from Docker's RFC 3339 nanoseconds. */
export function shortTimestamp(ts: string | null): string {
  return ts ? ts.slice(0, 23).replace('T', ' ') : '';
}

/** The plain text of the given lines, as downloaded. */
export function logText(entries: readonly LogEntry[], timestamps: boolean): string {
  return entries.map((e) => (timestamps && e.timestamp ? `${e.timestamp} ${e.text}` : e.text)).join('\n') + (entries.length ? '\n' : '');
}

/** Splits text around case-insensitive matches of `query`, for `<mark>` in templates (no HTML is built). */
export function splitMatches(text: string, query: string): { text: string; match: boolean }[] {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), match: false });
    parts.push({ text: text.slice(i, i + q.length), match: true });
    at = i + q.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}
