/**
 * Bounded FIFO of samples not yet acknowledged by the backend, persisted as JSON lines under the
 * state dir so an agent restart keeps them. Writes are atomic (tmp file + rename); overflow drops
 * the oldest.
 *
 * The file is brought up to date on the owner's ticks (`tick()`, once per collection interval),
 * never on timers of its own: a sample is written once it has stayed unacknowledged for
 * `flushDelayMs` at a tick, so while the backend acks every sample in time (the normal case) the
 * file is never touched and the buffer never wakes the process up. Once a file exists it is kept in
 * step with the buffer on every tick (rewritten after changes, deleted when the buffer empties).
 * A crash (SIGKILL, OOM, power loss) therefore loses at most the samples of the last
 * max(flushDelayMs, interval): at the default 5 s interval, the last sample. `flush()` (shutdown)
 * writes everything at once.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetricsSample } from '@chatops/protocol';
import { silentLogger, type Logger } from '../log';

export interface SampleBufferOptions {
  file: string;
  maxSamples: number;
  /**
   * A sample still unacknowledged this long after it was pushed (ms) is written on the next tick().
   */
  flushDelayMs?: number;
  logger?: Logger;
}

/** A tick may run this much early against a delay computed from an earlier tick's clock reading. */
const TICK_SLACK_MS = 50;

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
  /** The file (if any) differs from the buffer. */
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
    this.dirty = true;
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
    // Everything acked and nothing on disk: nothing to write (the live path: one sample in flight per tick).
    this.dirty = this.items.length > 0 || this.fileExists;
  }

  /**
   * Once per collection interval (the agent's tick, whether or not the collection succeeds):
   * write the file if it exists and changed, or if some sample has been waiting for its ack for
   * the whole delay. Samples that are merely in flight are not written.
   */
  tick(): void {
    if (!this.dirty) return;
    if (this.items.length > 0 && !this.fileExists && this.pushedAt[0] + this.delayMs > performance.now() + TICK_SLACK_MS) return;
    this.write();
  }

  /** Write the file now (shutdown). */
  flush(): void {
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

  /** Write what is pending (tests, shutdown): same as flush(). */
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
      this.dirty = true;
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
}
