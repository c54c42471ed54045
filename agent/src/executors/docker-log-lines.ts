/**
 * Container log bytes → LogLines: the engine's stream demultiplexed (docker-modem's demuxStream;
 * a TTY container's log has no frame headers and is all stdout), decoded as UTF-8 across chunk
 * boundaries, split into lines without the newline, each cut to DOCKER_LOG_LINE_MAX_CHARS, and with
 * `timestamps` the engine's RFC 3339 prefix moved into `timestamp`. Memory is bounded: an endless
 * line keeps its first characters and skips the rest up to its newline.
 */
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import {
  DOCKER_ANSWER_MAX_BYTES, DOCKER_LOG_LINE_MAX_CHARS, DOCKER_LOGS_MAX_TAIL, type ContainerLogs, type LogLine,
} from '@chatops/protocol/docker';

/** Room for the `2024-05-01T10:00:00.123456789Z ` prefix on top of a line's text. */
const TIMESTAMP_ROOM = 64;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** The current line was cut: drop what comes until its newline. */
  private skipping = false;

  constructor(
    private readonly stream: LogLine['stream'],
    private readonly timestamps: boolean,
    private readonly emit: (line: LogLine) => void,
    private readonly maxChars = DOCKER_LOG_LINE_MAX_CHARS,
  ) {}

  write(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    while (text) {
      const nl = text.indexOf('\n');
      const piece = nl < 0 ? text : text.slice(0, nl);
      text = nl < 0 ? '' : text.slice(nl + 1);
      if (!this.skipping) {
        this.partial += piece;
        if (this.partial.length > this.maxChars + (this.timestamps ? TIMESTAMP_ROOM : 0)) {
          this.line(this.partial);
          this.partial = '';
          this.skipping = true;
        }
      }
      if (nl >= 0) {
        if (!this.skipping) this.line(this.partial);
        this.partial = '';
        this.skipping = false;
      }
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.write(Buffer.from(rest));
    if (this.partial && !this.skipping) this.line(this.partial);
    this.partial = '';
  }

  private line(raw: string): void {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let timestamp: string | undefined;
    if (this.timestamps) {
      const sp = text.indexOf(' ');
      const head = sp < 0 ? text : text.slice(0, sp);
      if (/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(head)) {
        timestamp = head;
        text = sp < 0 ? '' : text.slice(sp + 1);
      }
    }
    if (text.length > this.maxChars) {
      const c = text.charCodeAt(this.maxChars - 1);
      text = text.slice(0, c >= 0xd800 && c <= 0xdbff ? this.maxChars - 1 : this.maxChars);
    }
    this.emit(timestamp === undefined ? { stream: this.stream, text } : { stream: this.stream, text, timestamp });
  }
}

/** docker-modem's demuxStream (bound to its modem). */
export type Demux = (source: Readable, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void;

/**
 * Reads a log stream into `emit`, in order. `demux`: docker-modem's demuxStream (null for a TTY
 * container: the raw bytes are stdout). Returns a function that flushes the last partial lines
 * (call it when the source ended).
 */
export function pipeLogLines(source: Readable, demux: Demux | null, timestamps: boolean, emit: (line: LogLine) => void): () => void {
  const out = new LineSplitter('stdout', timestamps, emit);
  const err = new LineSplitter('stderr', timestamps, emit);
  if (!demux) {
    source.on('data', (chunk: Buffer) => out.write(chunk));
  } else {
    const sink = (s: LineSplitter) => new Writable({ write(chunk: Buffer, _enc, done) { s.write(chunk); done(); } });
    demux(source, sink(out), sink(err));
  }
  return () => {
    out.end();
    err.end();
  };
}

/** Bytes a value takes as JSON. */
export const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * The first items whose JSON fits in `maxBytes` (an acknowledgement is one frame, and the backend
 * closes the connection on a frame over 1 MiB): a host with thousands of containers gets the first
 * ones rather than losing its connection.
 */
export function fitItems<T>(items: T[], maxBytes = DOCKER_ANSWER_MAX_BYTES): T[] {
  let room = maxBytes - 2;
  for (let i = 0; i < items.length; i++) {
    room -= jsonBytes(items[i]) + 1;
    if (room < 0) return items.slice(0, i);
  }
  return items;
}

/**
 * The newest lines of a log as they are read, within DOCKER_LOGS_MAX_TAIL lines and `maxBytes` of
 * JSON (an acknowledgement is one frame): older lines are dropped as newer ones come, so memory
 * stays bounded however much the engine sends; `truncated` says lines were left out for size.
 */
export class LogWindow {
  private lines: LogLine[] = [];
  private costs: number[] = [];
  private head = 0;
  private bytes = 0;
  private truncated = false;
  private readonly room: number;

  constructor(maxBytes = DOCKER_ANSWER_MAX_BYTES, private readonly maxLines = DOCKER_LOGS_MAX_TAIL) {
    this.room = maxBytes - jsonBytes({ lines: [], truncated: true });
  }

  push(line: LogLine): void {
    const cost = jsonBytes(line) + 1; // with its comma
    this.lines.push(line);
    this.costs.push(cost);
    this.bytes += cost;
    while (this.lines.length - this.head > this.maxLines) this.drop(false);
    while (this.bytes > this.room && this.lines.length - this.head > 0) this.drop(true);
    // Compact now and then so dropped lines do not pile up in the arrays.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
  }

  result(): ContainerLogs {
    const lines = this.lines.slice(this.head);
    return this.truncated ? { lines, truncated: true } : { lines };
  }

  private drop(forSize: boolean): void {
    this.bytes -= this.costs[this.head];
    this.head++;
    if (forSize) this.truncated = true;
  }
}
