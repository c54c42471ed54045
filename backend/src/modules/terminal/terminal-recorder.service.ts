import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type RecordingKind = 'o' | 'i' | 'r';

/** Output kept per session (per instance); past it the session goes on, the recording says it was cut. */
export const MAX_RECORDED_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Events waiting for the database at most (an outage): past it they are dropped, sessions marked cut. */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;
const FLUSH_MS = 500;
const FLUSH_AT_BYTES = 256 * 1024;

interface Pending { sessionIds: string[]; atMs: number[]; kinds: RecordingKind[]; data: string[]; bytes: number }
interface Counters { out: number; in: number; truncated: boolean }

/**
 * Records terminal sessions as asciicast v2 events (`[seconds, "o"|"i"|"r", data]`) in PostgreSQL.
 * Events are buffered and written every 500 ms (or at 256 KiB) with one statement for every
 * session, never one INSERT per keystroke; a session deleted meanwhile (its server was deleted)
 * simply drops its rows instead of failing the batch for the others. Output and input are recorded
 * by whichever instance sees them, so a session whose browser and agent sit on different
 * instances is recorded whole.
 */
@Injectable()
export class TerminalRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(TerminalRecorder.name);
  private pending: Pending = empty();
  /** Bytes per session not yet added to `terminal_sessions`. */
  private counters = new Map<string, Counters>();
  /** Output recorded per session by this instance (for the cap). */
  private readonly recordedOut = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failing = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  add(sessionId: string, startedAtMs: number, kind: RecordingKind, data: string): void {
    const bytes = Buffer.byteLength(data);
    const c = this.counters.get(sessionId) ?? { out: 0, in: 0, truncated: false };
    this.counters.set(sessionId, c);
    if (kind === 'o') c.out += bytes;
    else if (kind === 'i') c.in += bytes;
    if (kind === 'o') {
      const recorded = (this.recordedOut.get(sessionId) ?? 0) + bytes;
      this.recordedOut.set(sessionId, recorded);
      if (recorded > MAX_RECORDED_OUTPUT_BYTES) {
        c.truncated = true;
        return this.schedule();
      }
    }
    if (this.pending.bytes + bytes > MAX_PENDING_BYTES) {
      c.truncated = true;
      return this.schedule();
    }
    const p = this.pending;
    p.sessionIds.push(sessionId);
    p.atMs.push(Math.max(0, Math.min(2 ** 31 - 1, Date.now() - startedAtMs)));
    p.kinds.push(kind);
    p.data.push(data.includes('\u0000') ? data.replace(/\u0000/g, '\uFFFD') : data);
    p.bytes += bytes;
    if (p.bytes >= FLUSH_AT_BYTES) void this.flush();
    else this.schedule();
  }

  /** The session ended: write what is pending for it (and everyone else) now. */
  async finish(sessionId: string): Promise<void> {
    await this.flush();
    this.recordedOut.delete(sessionId);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (!this.pending.data.length && !this.counters.size) return;
    const batch = this.pending;
    const counters = this.counters;
    this.pending = empty();
    this.counters = new Map();
    this.flushing = this.write(batch, counters).finally(() => { this.flushing = null; });
    await this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private async write(batch: Pending, counters: Map<string, Counters>): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        if (batch.data.length) {
          await tx.query(
            `INSERT INTO terminal_recording_events (session_id, at_ms, kind, data)
             SELECT u.session_id, u.at_ms, u.kind, u.data
               FROM unnest($1::uuid[], $2::int[], $3::char[], $4::text[]) WITH ORDINALITY AS u(session_id, at_ms, kind, data, n)
               JOIN terminal_sessions s ON s.id = u.session_id
              ORDER BY u.n`,
            [batch.sessionIds, batch.atMs, batch.kinds, batch.data],
          );
        }
        if (counters.size) {
          const ids = [...counters.keys()];
          const c = [...counters.values()];
          await tx.query(
            `UPDATE terminal_sessions s
                SET bytes_out = s.bytes_out + v.o, bytes_in = s.bytes_in + v.i, recording_truncated = s.recording_truncated OR v.t
               FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bool[]) AS v(id, o, i, t)
              WHERE s.id = v.id`,
            [ids, c.map((x) => x.out), c.map((x) => x.in), c.map((x) => x.truncated)],
          );
        }
      });
      if (this.failing) this.logger.log('Terminal recordings are being written again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err: (err as Error).message }, 'Could not write terminal recordings; will retry');
      this.failing = true;
      this.restore(batch, counters);
    }
  }

  /** Puts a failed batch back in front of what arrived meanwhile (bounded by MAX_PENDING_BYTES). */
  private restore(batch: Pending, counters: Map<string, Counters>): void {
    const later = this.pending;
    if (batch.bytes + later.bytes <= MAX_PENDING_BYTES) {
      this.pending = {
        sessionIds: [...batch.sessionIds, ...later.sessionIds],
        atMs: [...batch.atMs, ...later.atMs],
        kinds: [...batch.kinds, ...later.kinds],
        data: [...batch.data, ...later.data],
        bytes: batch.bytes + later.bytes,
      };
    } else {
      for (const id of batch.sessionIds) counters.set(id, { ...(counters.get(id) ?? { out: 0, in: 0 }), truncated: true });
    }
    for (const [id, c] of counters) {
      const now = this.counters.get(id);
      this.counters.set(id, now ? { out: now.out + c.out, in: now.in + c.in, truncated: now.truncated || c.truncated } : c);
    }
    this.schedule();
  }
}

function empty(): Pending {
  return { sessionIds: [], atMs: [], kinds: [], data: [], bytes: 0 };
}
