/**
 * A followed log's lines → `container_logs` chunks, with bounded memory whatever the container
 * prints: lines gather until a chunk is full (DOCKER_LOGS_CHUNK_MAX_LINES or _MAX_BYTES of JSON) or
 * DOCKER_LOGS_FLUSH_MS passed; a full chunk goes out at once, but never more than one chunk per
 * `minGapMs` (the backend disconnects an agent sending over 200 frames a second). While a full
 * chunk waits for its turn, or the connection cannot take more (`send` answers false), lines are
 * dropped and counted, and the next chunk says so in a line of its own: `[chatops: N lines dropped]`.
 */
import {
  DOCKER_LOGS_CHUNK_MAX_BYTES, DOCKER_LOGS_CHUNK_MAX_LINES, DOCKER_LOGS_FLUSH_MS, type LogLine,
} from '@chatops/protocol/docker';
import { jsonBytes } from './docker-log-lines';

export interface LogChunkerOptions {
  /** Sends one chunk; false: the connection is backed up, the chunk was not sent (counted as dropped). */
  send: (lines: LogLine[]) => boolean;
  flushMs?: number;
  minGapMs?: number;
  maxLines?: number;
  maxBytes?: number;
}

/** 20 chunks a second per stream at most: 8 streams stay under the backend's 200 frames a second. */
export const LOG_CHUNK_MIN_GAP_MS = 50;
/** Room kept in every chunk for the dropped-lines notice. */
const NOTICE_ROOM_BYTES = 128;

export const droppedNotice = (n: number): LogLine => ({ stream: 'stderr', text: `[chatops: ${n} lines dropped]` });

export class LogChunker {
  private pending: LogLine[] = [];
  private bytes = 0;
  private dropped = 0;
  private lastSent = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly o: Required<LogChunkerOptions>;

  constructor(opts: LogChunkerOptions) {
    this.o = {
      flushMs: DOCKER_LOGS_FLUSH_MS, minGapMs: LOG_CHUNK_MIN_GAP_MS, maxLines: DOCKER_LOGS_CHUNK_MAX_LINES, maxBytes: DOCKER_LOGS_CHUNK_MAX_BYTES,
      ...opts,
    };
  }

  /** Lines dropped so far and not yet reported (tests, logs). */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Lines held right now (never more than one chunk). */
  get held(): number {
    return this.pending.length;
  }

  push(line: LogLine): void {
    if (this.closed) return;
    const cost = jsonBytes(line) + 1;
    if (this.full(cost)) {
      // Make room by sending when allowed; otherwise this line is dropped.
      if (!this.flushIfAllowed() || this.full(cost)) {
        this.dropped++;
        return;
      }
    }
    this.pending.push(line);
    this.bytes += cost;
    if (this.full(0)) this.flushIfAllowed();
    this.arm();
  }

  /** Sends what is held now (the engine ended the stream: nothing more will come). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || (!this.pending.length && !this.dropped)) return;
    const lines = this.pending;
    const dropped = this.dropped;
    this.pending = [];
    this.bytes = 0;
    this.dropped = 0;
    if (dropped) lines.push(droppedNotice(dropped));
    this.lastSent = performance.now();
    if (!this.o.send(lines)) this.dropped += lines.length - (dropped ? 1 : 0) + dropped;
    this.arm();
  }

  /** Nothing more is sent (stopped, or the connection is gone). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.bytes = 0;
  }

  private full(extra: number): boolean {
    return this.pending.length >= this.o.maxLines - 1 || (this.pending.length > 0 && this.bytes + extra > this.o.maxBytes - NOTICE_ROOM_BYTES);
  }

  private flushIfAllowed(): boolean {
    if (performance.now() - this.lastSent < this.o.minGapMs) {
      this.arm(this.lastSent + this.o.minGapMs - performance.now());
      return false;
    }
    this.flush();
    return true;
  }

  /** A timer for what is held (or for the dropped count): the flush interval, or sooner for a full chunk. */
  private arm(inMs?: number): void {
    if (this.closed || (!this.pending.length && !this.dropped)) return;
    const wait = Math.max(0, inMs ?? this.o.flushMs);
    if (this.timer && inMs === undefined) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }
}
