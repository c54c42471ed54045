import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Failed handshakes from one client IP within this window share one `connection_events` row. */
export const HANDSHAKE_FAILURE_WINDOW_MS = 60_000;
/** How often the counts of open rows are written. */
const FLUSH_MS = 5_000;
/** IPs tracked at once; failures from further addresses share one row without an IP. */
const MAX_TRACKED_IPS = 10_000;
const OTHER_ADDRESSES = '(other addresses)';

interface Tally {
  ip: string | null;
  windowStart: number;
  count: number;
  /** The count the row holds (or will once its insert lands). */
  written: number;
  /** The row's id once inserted; null when the insert failed (nothing to update then). */
  rowId: Promise<string | null>;
}

/**
 * Failed agent handshakes, aggregated: the connect_error goes out at once, but one client retrying
 * a bad key in a loop (300 attempts in 1.4 s were measured) writes one `auth_failed` row per IP and
 * minute, its `attempts` column counting them, instead of one row per attempt. The first failure
 * of a window is written at once (operators see it), later ones are counted in memory and written
 * every few seconds in one statement.
 */
@Injectable()
export class HandshakeFailures implements OnApplicationShutdown {
  private readonly logger = new Logger(HandshakeFailures.name);
  private readonly open = new Map<string, Tally>();
  /** Tallies whose window ended with counts not yet written. */
  private closing: Tally[] = [];
  /** Counters for operators and tests. */
  readonly stats = { failures: 0, rows: 0 };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  record(ip: string | null | undefined, detail: string): void {
    this.stats.failures++;
    const now = Date.now();
    let key = ip ? ip.slice(0, 64) : OTHER_ADDRESSES;
    let tally = this.open.get(key);
    if (!tally && this.open.size >= MAX_TRACKED_IPS) tally = this.open.get((key = OTHER_ADDRESSES));
    if (tally && now - tally.windowStart < HANDSHAKE_FAILURE_WINDOW_MS) {
      tally.count++;
      return;
    }
    if (tally && tally.count > tally.written) this.closing.push(tally);
    this.open.set(key, {
      ip: key === OTHER_ADDRESSES ? null : key,
      windowStart: now,
      count: 1,
      written: 1,
      rowId: this.insert(key === OTHER_ADDRESSES ? null : key, detail),
    });
  }

  /** Writes the counts that grew since the last flush; forgets windows that ended. */
  @Interval(FLUSH_MS)
  async flush(): Promise<void> {
    const now = Date.now();
    const due = this.closing;
    this.closing = [];
    for (const [key, tally] of this.open) {
      if (tally.count > tally.written) due.push(tally);
      if (now - tally.windowStart >= HANDSHAKE_FAILURE_WINDOW_MS) this.open.delete(key);
    }
    if (!due.length) return;
    const ids: string[] = [];
    const counts: number[] = [];
    for (const tally of due) {
      const id = await tally.rowId;
      if (id === null) continue;
      ids.push(id);
      counts.push(tally.count);
      tally.written = tally.count;
    }
    if (!ids.length) return;
    await this.db
      .query('UPDATE connection_events c SET attempts = u.n FROM unnest($1::bigint[], $2::int[]) AS u(id, n) WHERE c.id = u.id', [ids, counts])
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'Could not update failed-handshake counts'));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const tally of this.open.values()) if (tally.count > tally.written) this.closing.push(tally);
    this.open.clear();
    await this.flush();
  }

  private async insert(ip: string | null, detail: string): Promise<string | null> {
    try {
      const rows: { id: string }[] = await this.db.query(
        `INSERT INTO connection_events (event, ip, detail, attempts) VALUES ('auth_failed', $1, $2, 1) RETURNING id`,
        [ip, detail.slice(0, 500)],
      );
      this.stats.rows++;
      return rows[0].id;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not record a failed agent handshake');
      return null;
    }
  }
}
