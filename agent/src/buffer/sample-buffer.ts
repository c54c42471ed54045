/**
 * Bounded FIFO of samples not yet acknowledged by the backend, persisted as JSON lines under the
 * state dir so an agent restart keeps them. Writes are debounced and atomic (tmp file + rename);
 * a crash loses at most the last debounce window, never the whole file. Overflow drops the oldest.
 *
 * A sample is written only once it has stayed unacknowledged for the debounce delay: while the
 * backend acks every sample within that delay (the normal case) the file is never touched, so
 * the steady state costs no disk writes at all. Once a file exists it is kept in step with the
 * buffer (rewritten after changes, deleted when the buffer empties).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetricsSample } from '@chatops/protocol';
import { silentLogger, type Logger } from '../log';

export interface SampleBufferOptions {
  file: string;
  maxSamples: number;
  /**
   * Debounce for file writes (ms): a sample still unacknowledged this long after it was pushed is
   * on disk (give or take a timer's lateness).
   */
  flushDelayMs?: number;
  logger?: Logger;
  /**
   * When the process will next wake up anyway (performance.now() scale; the agent's next tick).
   * Lets the live path's cancelled debounce timer also cancel its libuv wake-up (see remove()).
   */
  nextWakeAt?: () => number;
}

const noop = (): void => undefined;

/**
 * Structural check for reloaded lines (a torn or hand-edited file). Full validation is the
 * backend's job; a sample it refuses is dropped then, so this only has to keep garbage out.
 */
export function looksLikeSample(x: unknown): x is MetricsSample {
  if (!x || typeof x !== 'object') return false;
  const s = x as Record<string, unknown>;
  return typeof s.bootId === 'string' && s.bootId.length > 0 && Number.isSafeInteger(s.seq) && (s.seq as number) >= 0 &&
    typeof s.timestamp === 'string' && !!s.cpu && typeof s.cpu === 'object' && !!s.memory && typeof s.memory === 'object' &&
    Array.isArray(s.disks) && Array.isArray(s.network);
}

const keyOf = (s: Pick<MetricsSample, 'bootId' | 'seq'>) => `${s.bootId}#${s.seq}`;

export class SampleBuffer {
  private items: MetricsSample[] = [];
  /** performance.now() when each item was pushed (parallel to items; loaded ones: -Infinity). */
  private pushedAt: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** performance.now() when `timer` is due. */
  private timerDueAt = 0;
  private dirty = false;
  /** Samples dropped by overflow since this instance started. */
  droppedTotal = 0;
  private unloggedDrops = 0;
  /** Whether the file may exist (so an empty buffer only unlinks once). */
  private fileExists = true;
  private lastDropLogAt = -Infinity;
  private readonly log: Logger;

  constructor(private readonly opts: SampleBufferOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  get size(): number {
    return this.items.length;
  }

  /** Load what a previous run left behind; corrupt or invalid lines are skipped (and counted). */
  load(): number {
    let text: string;
    try {
      text = readFileSync(this.opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.fileExists = false;
      } else {
        this.log.warn('cannot read sample buffer file; starting empty', { file: this.opts.file, code: (err as NodeJS.ErrnoException).code });
      }
      return 0;
    }
    let bad = 0;
    const loaded: MetricsSample[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (looksLikeSample(parsed)) loaded.push(parsed);
        else bad++;
      } catch {
        bad++;
      }
    }
    if (bad) this.log.warn('skipped unreadable lines in the sample buffer file', { count: bad });
    this.items = loaded.concat(this.items);
    this.pushedAt = loaded.map(() => -Infinity).concat(this.pushedAt);
    this.trim();
    return loaded.length;
  }

  push(sample: MetricsSample): void {
    this.items.push(sample);
    this.pushedAt.push(performance.now());
    this.trim();
    this.scheduleFlush(this.delayMs);
  }

  /** The oldest `n` samples, without removing them. */
  peek(n: number): MetricsSample[] {
    return this.items.slice(0, n);
  }

  /** Remove samples (acknowledged or refused) by bootId+seq. */
  remove(samples: Array<Pick<MetricsSample, 'bootId' | 'seq'>>): void {
    if (!samples.length) return;
    const before = this.items.length;
    if (samples.length === 1) {
      // The live path: one acked sample, almost always the oldest.
      const { bootId, seq } = samples[0];
      const i = this.items.findIndex((s) => s.seq === seq && s.bootId === bootId);
      if (i < 0) return;
      this.items.splice(i, 1);
      this.pushedAt.splice(i, 1);
    } else {
      const keys = new Set(samples.map(keyOf));
      const keep = this.items.map((s) => !keys.has(keyOf(s)));
      this.items = this.items.filter((_, i) => keep[i]);
      this.pushedAt = this.pushedAt.filter((_, i) => keep[i]);
    }
    if (this.items.length === before) return;
    if (this.items.length === 0 && !this.fileExists) {
      // Everything acked and nothing on disk: the debounced write would find nothing to do, so
      // cancel it now rather than wake up for it (the live path: one sample in flight per tick).
      this.dirty = false;
      if (this.timer) {
        // Node would still wake the process up, cold, for this cancelled timer when it was due
        // before the next tick (an interval above the delay: once per tick). Two details:
        // clearing an unref'd timeout leaves its (now empty) timer list queued until its expiry
        // (Node keeps unref'd lists for reuse), hence ref() first so that clearTimeout drops the
        // list; and libuv's timer stays armed for the cleared expiry (Node re-arms it only when a
        // list runs or an earlier one is added), hence a 0 ms timer added now, while the ack's
        // wake-up is still running, so that Node re-arms libuv for the next real timer at once.
        // When the tick comes first (interval ≤ delay) nothing is changed: it re-arms libuv anyway.
        const rearm = this.opts.nextWakeAt !== undefined && this.timerDueAt < this.opts.nextWakeAt();
        if (rearm) this.timer.ref();
        clearTimeout(this.timer);
        this.timer = null;
        if (rearm) setTimeout(noop, 0).unref();
      }
      return;
    }
    this.scheduleFlush(this.delayMs);
  }

  /** Write the file now (shutdown) and cancel any pending debounced write. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.write();
  }

  /**
   * The debounce timer: write only if the file already exists (keep it in step with the buffer)
   * or some sample has been waiting for its ack for the whole delay. Samples that are merely in
   * flight are not written; the timer comes back when the oldest of them is due.
   */
  private onTimer(): void {
    this.timer = null;
    if (!this.dirty) return;
    if (this.items.length > 0 && !this.fileExists) {
      const dueIn = this.pushedAt[0] + this.delayMs - performance.now();
      if (dueIn > 0) {
        this.scheduleFlush(dueIn);
        return;
      }
    }
    this.write();
  }

  private write(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const file = this.opts.file;
    try {
      if (this.items.length === 0) {
        if (!this.fileExists) return;
        this.fileExists = false;
        try {
          unlinkSync(file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        return;
      }
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, this.items.map((s) => JSON.stringify(s)).join('\n') + '\n', { mode: 0o600 });
      renameSync(tmp, file);
      this.fileExists = true;
    } catch (err) {
      this.dirty = true; // try again on the next change
      this.log.warn('cannot write sample buffer file', { file, code: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }

  /** Stop the debounce timer without writing (tests, or after flush()). */
  close(): void {
    this.flush();
  }

  private trim(): void {
    const over = this.items.length - this.opts.maxSamples;
    if (over > 0) {
      this.items.splice(0, over);
      this.pushedAt.splice(0, over);
      this.droppedTotal += over;
      this.unloggedDrops += over;
    }
    // One line per minute at most while the buffer keeps overflowing, with the exact count.
    const now = Date.now();
    if (this.unloggedDrops > 0 && now - this.lastDropLogAt >= 60_000) {
      this.log.warn('sample buffer full: dropped the oldest samples', { dropped: this.unloggedDrops, droppedTotal: this.droppedTotal, max: this.opts.maxSamples });
      this.unloggedDrops = 0;
      this.lastDropLogAt = now;
    }
  }

  private get delayMs(): number {
    return this.opts.flushDelayMs ?? 2000;
  }

  private scheduleFlush(delayMs: number): void {
    this.dirty = true;
    if (this.timer) return;
    const ms = Math.max(1, Math.ceil(delayMs));
    this.timerDueAt = performance.now() + ms;
    this.timer = setTimeout(() => this.onTimer(), ms);
    this.timer.unref();
  }
}
