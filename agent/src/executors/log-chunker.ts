/**
 * A followed log's lines → `container_logs` chunks, with bounded memory whatever the container
 * prints. Lines fill chunks of at most DOCKER_LOGS_CHUNK_MAX_LINES lines / _MAX_BYTES of JSON; a
 * partial chunk goes out DOCKER_LOGS_FLUSH_MS after its first line, full ones as fast as the frame
 * budget allows: one chunk per `minGapMs` (the backend disconnects an agent sending over 200 frames
 * a second, so the executor shares a budget among its streams). Up to `maxChunks` chunks wait
 * (bursts are absorbed); beyond that, or while the connection cannot take more (`send` answers
 * false), lines are dropped and counted, and the next chunk says so in a line of its own:
 * `[chatops: N lines dropped]`.
 */
import {
  DOCKER_LOGS_CHUNK_MAX_BYTES, DOCKER_LOGS_CHUNK_MAX_LINES, DOCKER_LOGS_FLUSH_MS, type LogLine,
} from '@chatops/protocol/docker';
import { jsonBytes } from './docker-log-lines';

export interface LogChunkerOptions {
  /** Sends one chunk; false: the connection is backed up, the chunk was not sent (counted as dropped). */
  send: (lines: LogLine[]) => boolean;
  flushMs?: number;
  /** The least time between two chunks (a function: the executor's budget changes with its streams). */
  minGapMs?: number | (() => number);
  maxLines?: number;
  maxBytes?: number;
  /** Chunks held at most (full ones waiting for their turn, and the one filling). */
  maxChunks?: number;
}

/** 20 chunks a second per stream unless told otherwise. */
export const LOG_CHUNK_MIN_GAP_MS = 50;
/** 8 chunks of 500 lines: a burst of 4,000 lines is absorbed; at most 8 × 64 KiB held. */
export const LOG_CHUNKS_HELD = 8;
/** Room kept in every chunk for the dropped-lines notice. */
const NOTICE_ROOM_BYTES = 128;

export const droppedNotice = (n: number): LogLine => ({ stream: 'stderr', text: `[chatops: ${n} lines dropped]` });

interface Chunk { lines: LogLine[]; bytes: number; startedAt: number }

export class LogChunker {
  private readonly queue: Chunk[] = [];
  private dropped = 0;
  private lastSent = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private closed = false;
  private readonly o: Required<Omit<LogChunkerOptions, 'minGapMs'>>;
  private readonly gap: () => number;

  constructor(opts: LogChunkerOptions) {
    this.o = {
      flushMs: DOCKER_LOGS_FLUSH_MS, maxLines: DOCKER_LOGS_CHUNK_MAX_LINES, maxBytes: DOCKER_LOGS_CHUNK_MAX_BYTES, maxChunks: LOG_CHUNKS_HELD,
      ...opts,
    };
    const gap = opts.minGapMs ?? LOG_CHUNK_MIN_GAP_MS;
    this.gap = typeof gap === 'function' ? gap : () => gap;
  }

  /** Lines dropped so far and not yet reported (tests, logs). */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Lines held right now (never more than `maxChunks` chunks). */
  get held(): number {
    return this.queue.reduce((n, c) => n + c.lines.length, 0);
  }

  push(line: LogLine): void {
    if (this.closed) return;
    const cost = jsonBytes(line) + 1;
    let cur = this.queue[this.queue.length - 1];
    if (!cur || this.isFull(cur, cost)) {
      if (this.queue.length >= this.o.maxChunks) {
        this.dropped++;
        return;
      }
      cur = { lines: [], bytes: 0, startedAt: performance.now() };
      this.queue.push(cur);
    }
    cur.lines.push(line);
    cur.bytes += cost;
    this.schedule();
  }

  /** Sends everything held now (the engine ended the stream: nothing more will come). */
  flush(): void {
    this.clearTimer();
    if (this.closed) return;
    for (let n = this.queue.length; n > 0; n--) this.sendOne();
    if (this.dropped) this.sendOne(); // the notice alone, once

  }

  /** Nothing more is sent (stopped, or the connection is gone). */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.queue.length = 0;
  }

  private isFull(c: Chunk, extra: number): boolean {
    return c.lines.length >= this.o.maxLines - 1 || (c.lines.length > 0 && c.bytes + extra > this.o.maxBytes - NOTICE_ROOM_BYTES);
  }

  /** When the next chunk is due: a full one (or one with others behind it) after the gap, a partial one after the flush interval. */
  private schedule(): void {
    if (this.closed) return;
    const head = this.queue[0];
    if (!head && !this.dropped) return;
    const gapDue = this.lastSent + this.gap();
    // Only a drop to report (the connection was backed up): try again at the flush interval.
    const due = !head ? Math.max(gapDue, this.lastSent + this.o.flushMs)
      : this.queue.length > 1 || this.isFull(head, 0) ? gapDue
        : Math.max(gapDue, head.startedAt + this.o.flushMs);
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Infinity;
      this.sendOne();
      this.schedule();
    }, Math.max(0, due - performance.now()));
  }

  private sendOne(): void {
    const chunk = this.queue.shift();
    const lines = chunk?.lines ?? [];
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped) lines.push(droppedNotice(dropped));
    if (!lines.length) return;
    this.lastSent = performance.now();
    if (!this.o.send(lines)) this.dropped += lines.length - (dropped ? 1 : 0) + dropped;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }
}
