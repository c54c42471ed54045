import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { runExclusive } from '../../database/cluster-lock';
import { MAINTENANCE_DB } from '../../database/data-source';
import { DETAIL_DIRTY_HOURS, DETAIL_DIRTY_MINUTES, DETAIL_HOURS, DETAIL_MINUTES } from './detail-series';
import { sliceRows } from './slice-rows';

export type Tier = '1m' | '1h';
const TIER_SEC: Record<Tier, number> = { '1m': 60, '1h': 3600 };
const TABLE: Record<Tier, string> = { '1m': 'metric_rollup_1m', '1h': 'metric_rollup_1h' };
const ORIGIN = '2000-01-01T00:00:00Z';
/** Raw samples this much older than their arrival are "late" and mark their bucket for re-aggregation. */
export const LATE_SAMPLE_MS = 20_000;
/** The 1-minute tier stays this far behind now, so that on-time samples are never missed. */
const MINUTE_LAG_MS = 60_000;
/** Largest window one aggregation statement covers while catching up. */
const CATCH_UP_CHUNK_MS = 6 * 3_600_000;
const RETENTION_BATCH = 10_000;
/**
 * While the tiers are caught up, each slice of servers is followed by a pause of this many times its
 * own duration, so a large fleet's rollup takes at most about a quarter of a core from a PostgreSQL
 * that is also serving the ingest (measured: 10,000 agents' minute in one statement took 2.35 s of
 * CPU at once). Catching up after downtime runs flat out.
 */
const PACE_FACTOR = 3;
const MAX_PAUSE_MS = 2000;
/** A window at most this long is steady state (paced); a longer one is a catch-up. */
const STEADY_WINDOW_MS: Record<Tier, number> = { '1m': 5 * 60_000, '1h': 3_600_000 };

const COLUMNS = `samples, cpu_avg, cpu_max, cpu_min, mem_avg, mem_max, swap_avg, swap_n, disk_avg, disk_max, disk_n,
  load1_avg, load1_max, rx_avg, rx_max, rx_n, tx_avg, tx_max, tx_n`;
const UPSERT = `ON CONFLICT (server_id, bucket) DO UPDATE SET ${COLUMNS.split(',').map((c) => c.trim()).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;

const RAW_COLUMNS = 'x.server_id, x.ts, x.cpu, x.mem, x.swap, x.disk, x.load1, x.net_rx, x.net_tx';
const ROLLUP_COLUMNS = `x.server_id, x.bucket, ${COLUMNS.split(',').map((c) => `x.${c.trim()}`).join(', ')}`;

/** Aggregates of raw samples (for the 1-minute tier). */
const FROM_RAW = `count(*), avg(cpu), max(cpu), min(cpu), avg(mem), max(mem), avg(swap), count(swap), avg(disk), max(disk), count(disk),
  avg(load1), max(load1), avg(net_rx), max(net_rx), count(net_rx), avg(net_tx), max(net_tx), count(net_tx)`;
/** Aggregates of finer rollups (weighted by the samples behind each value). */
const FROM_ROLLUP = `sum(samples), sum(cpu_avg * samples) / sum(samples), max(cpu_max), min(cpu_min),
  sum(mem_avg * samples) / sum(samples), max(mem_max),
  sum(swap_avg * swap_n) / nullif(sum(swap_n), 0), sum(swap_n),
  sum(disk_avg * disk_n) / nullif(sum(disk_n), 0), max(disk_max), sum(disk_n),
  sum(load1_avg * samples) / sum(samples), max(load1_max),
  sum(rx_avg * rx_n) / nullif(sum(rx_n), 0), max(rx_max), sum(rx_n),
  sum(tx_avg * tx_n) / nullif(sum(tx_n), 0), max(tx_max), sum(tx_n)`;

export interface RollupReport {
  minuteWatermark: Date;
  hourWatermark: Date;
  dirtyBuckets: number;
  deleted: Record<string, number>;
  /** Another instance was running the pass: nothing was done here (see `run`). */
  ranElsewhere?: true;
}

/**
 * Maintains the history tiers: closed 1-minute buckets are aggregated from raw samples, closed hours
 * from minutes, idempotently (re-running a window rewrites the same rows) and in bounded chunks, so
 * after downtime it catches up by itself. Late samples (an agent replaying its offline buffer) mark
 * their minute dirty at ingest; dirty buckets below the watermark are re-aggregated here. Retention
 * deletes expired rows of each tier in bounded batches.
 */
@Injectable()
export class MetricsRollupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsRollupService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RollupReport> | null = null;
  private stopping = false;
  /** Ends the current pause between slices early (shutdown). */
  private wake: (() => void) | null = null;

  /** The maintenance pool: a catch-up chunk over a large fleet may run longer than a request's statement timeout. */
  constructor(@InjectDataSource(MAINTENANCE_DB) private readonly db: DataSource, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run().catch((err) => this.logger.warn({ err: (err as Error).message }, 'Rollup run failed; will retry')), this.config.rollupIntervalSec * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass: minute tier, dirty buckets, hour tier, retention. Concurrent calls share the pass;
   * across instances one pass runs at a time (an advisory lock), and an instance that finds it
   * taken skips this round, so each window is aggregated once (the next pass starts at the watermark).
   */
  run(now = new Date()): Promise<RollupReport> {
    this.running ??= this.exclusivePass(now).finally(() => (this.running = null));
    return this.running;
  }

  private async exclusivePass(now: Date): Promise<RollupReport> {
    const done = await runExclusive(this.db, 'metrics-rollup', () => this.pass(now));
    if (done.ran) return done.value;
    return { minuteWatermark: await this.watermark('1m'), hourWatermark: await this.watermark('1h'), dirtyBuckets: 0, deleted: {}, ranElsewhere: true };
  }

  private async pass(now: Date): Promise<RollupReport> {
    const minuteTarget = floorTo(now.getTime() - MINUTE_LAG_MS, TIER_SEC['1m']);
    const minuteWatermark = await this.advance('1m', minuteTarget, (tx, from, to, servers) => this.rollMinutes(tx, from, to, servers));
    const dirtyBuckets = await this.reaggregateDirty(minuteWatermark);
    const hourTarget = floorTo(minuteWatermark.getTime(), TIER_SEC['1h']);
    const hourWatermark = await this.advance('1h', hourTarget, (tx, from, to, servers) => this.rollHours(tx, from, to, servers));
    const deleted = await this.enforceRetention(now);
    return { minuteWatermark, hourWatermark, dirtyBuckets, deleted };
  }

  /**
   * Moves a tier's watermark towards `target` window by window. A window is aggregated in slices of
   * servers (`ROLLUP_SLICE_SERVERS`), each slice in its own transaction, paced in steady state; the
   * watermark moves once every slice is done. Aggregation is an idempotent upsert, so a pass that
   * dies halfway is simply redone from the old watermark.
   */
  private async advance(tier: Tier, target: Date, roll: (tx: EntityManager, from: Date, to: Date, servers: string[]) => Promise<void>): Promise<Date> {
    let watermark = await this.watermark(tier);
    // Read once for all the windows of this call: catching up a fresh install's empty history is
    // ~150 windows, and reading 10,000 ids for each was 88,000 rows a second of garbage.
    let slices: string[][] | null = null;
    while (watermark < target) {
      const from = watermark;
      const to = new Date(Math.min(target.getTime(), from.getTime() + CATCH_UP_CHUNK_MS));
      const paced = to.getTime() - from.getTime() <= STEADY_WINDOW_MS[tier];
      const fleet = (slices ??= await this.serverSlices());
      for (let i = 0; i < fleet.length; i++) {
        const started = performance.now();
        await this.db.transaction((tx) => roll(tx, from, to, fleet[i]));
        if (paced && i < fleet.length - 1) await this.pause(Math.min(MAX_PAUSE_MS, PACE_FACTOR * (performance.now() - started)));
      }
      await this.db.query('UPDATE rollup_watermarks SET watermark = $2 WHERE tier = $1', [tier, to]);
      watermark = to;
    }
    return watermark;
  }

  /**
   * Every server's id in slices, read once per `advance`. A server created after this read has no
   * samples in the windows of that call (they end at the target, a minute before the pass started)
   * other than late ones: ingested after the pass started, they are older than LATE_SAMPLE_MS, so
   * their minutes are marked dirty and re-aggregated by the next pass.
   */
  private async serverSlices(): Promise<string[][]> {
    const rows: { id: string }[] = await this.db.query('SELECT id FROM servers ORDER BY id');
    const size = this.config.rollupSliceServers;
    const slices: string[][] = [];
    for (let i = 0; i < rows.length; i += size) slices.push(rows.slice(i, i + size).map((r) => r.id));
    return slices;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping || ms < 1) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.wake = null; resolve(); };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** The tier's watermark; a new installation starts at the edge of what the finer tier keeps. */
  private async watermark(tier: Tier): Promise<Date> {
    const rows: { watermark: Date }[] = await this.db.query('SELECT watermark FROM rollup_watermarks WHERE tier = $1', [tier]);
    if (rows.length) return rows[0].watermark;
    const keepDays = tier === '1m' ? this.config.retention.rawDays : this.config.retention.minuteDays;
    const start = floorTo(Date.now() - keepDays * 86_400_000, TIER_SEC[tier]);
    await this.db.query('INSERT INTO rollup_watermarks (tier, watermark) VALUES ($1, $2) ON CONFLICT (tier) DO NOTHING', [tier, start]);
    return (await this.db.query('SELECT watermark FROM rollup_watermarks WHERE tier = $1', [tier]))[0].watermark;
  }

  private async rollMinutes(tx: EntityManager, from: Date, to: Date, servers: string[]): Promise<void> {
    await tx.query(
      `INSERT INTO metric_rollup_1m (server_id, bucket, ${COLUMNS})
       SELECT server_id, date_bin('1 minute', ts, $3::timestamptz), ${FROM_RAW}
       FROM ${sliceRows('metric_samples', 'ts', RAW_COLUMNS, '$4')}
       GROUP BY 1, 2 ${UPSERT}`,
      [from, to, ORIGIN, servers],
    );
    await tx.query(DETAIL_MINUTES, [from, to, servers]);
  }

  private async rollHours(tx: EntityManager, from: Date, to: Date, servers: string[]): Promise<void> {
    await tx.query(
      `INSERT INTO metric_rollup_1h (server_id, bucket, ${COLUMNS})
       SELECT server_id, date_bin('1 hour', bucket, $3::timestamptz), ${FROM_ROLLUP}
       FROM ${sliceRows('metric_rollup_1m', 'bucket', ROLLUP_COLUMNS, '$4')}
       GROUP BY 1, 2 ${UPSERT}`,
      [from, to, ORIGIN, servers],
    );
    await tx.query(DETAIL_HOURS, [from, to, servers]);
  }

  /** Re-aggregates minutes (and their hours) that received late samples after being rolled up. */
  private async reaggregateDirty(minuteWatermark: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.db.transaction(async (tx) => {
        const rows = deletedRows<{ server_id: string; bucket: Date }>(await tx.query(
          `DELETE FROM rollup_dirty WHERE (server_id, bucket) IN (
             SELECT server_id, bucket FROM rollup_dirty WHERE bucket < $1 LIMIT 2000 FOR UPDATE SKIP LOCKED)
           RETURNING server_id, bucket`,
          [minuteWatermark],
        ));
        if (!rows.length) return 0;
        const servers = rows.map((r) => r.server_id);
        const buckets = rows.map((r) => r.bucket);
        await tx.query(
          `INSERT INTO metric_rollup_1m (server_id, bucket, ${COLUMNS})
           SELECT s.server_id, d.bucket, ${FROM_RAW.replace(/\b(cpu|mem|swap|disk|load1|net_rx|net_tx)\b/g, 's.$1')}
           FROM unnest($1::uuid[], $2::timestamptz[]) AS d(server_id, bucket)
           JOIN metric_samples s ON s.server_id = d.server_id AND s.ts >= d.bucket AND s.ts < d.bucket + interval '1 minute'
           GROUP BY s.server_id, d.bucket ${UPSERT}`,
          [servers, buckets],
        );
        await tx.query(
          `INSERT INTO metric_rollup_1h (server_id, bucket, ${COLUMNS})
           SELECT r.server_id, h.bucket, ${FROM_ROLLUP.replace(/\b(samples|cpu_avg|cpu_max|cpu_min|mem_avg|mem_max|swap_avg|swap_n|disk_avg|disk_max|disk_n|load1_avg|load1_max|rx_avg|rx_max|rx_n|tx_avg|tx_max|tx_n)\b/g, 'r.$1')}
           FROM (SELECT DISTINCT server_id, date_bin('1 hour', bucket, $3::timestamptz) AS bucket
                 FROM unnest($1::uuid[], $2::timestamptz[]) AS d(server_id, bucket)) h
           JOIN metric_rollup_1m r ON r.server_id = h.server_id AND r.bucket >= h.bucket AND r.bucket < h.bucket + interval '1 hour'
           WHERE h.bucket < (SELECT watermark FROM rollup_watermarks WHERE tier = '1h')
           GROUP BY r.server_id, h.bucket ${UPSERT}`,
          [servers, buckets, ORIGIN],
        );
        await tx.query(DETAIL_DIRTY_MINUTES, [servers, buckets]);
        await tx.query(DETAIL_DIRTY_HOURS, [servers, buckets]);
        return rows.length;
      });
      total += done;
      if (done < 2000) return total;
    }
  }

  /** Deletes expired rows of each tier in bounded batches (never one huge DELETE). */
  async enforceRetention(now = new Date()): Promise<Record<string, number>> {
    const day = 86_400_000;
    const plan: [string, string, number][] = [
      ['metric_samples', 'ts', this.config.retention.rawDays],
      ['metric_rollup_1m', 'bucket', this.config.retention.minuteDays],
      ['metric_detail_1m', 'bucket', this.config.retention.minuteDays],
      ['metric_rollup_1h', 'bucket', this.config.retention.hourDays],
      ['metric_detail_1h', 'bucket', this.config.retention.hourDays],
    ];
    const deleted: Record<string, number> = {};
    const deadline = Date.now() + 10_000;
    for (const [table, column, days] of plan) {
      const cutoff = new Date(now.getTime() - days * day);
      deleted[table] = 0;
      for (;;) {
        const res: [unknown[], number] = await this.db.query(
          `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT ${RETENTION_BATCH}))`,
          [cutoff],
        );
        const n = res[1] ?? 0;
        deleted[table] += n;
        if (n < RETENTION_BATCH || Date.now() > deadline) break;
      }
    }
    return deleted;
  }
}

/** TypeORM answers a DELETE … RETURNING with [rows, count]. */
function deletedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

function floorTo(ms: number, sec: number): Date {
  const step = sec * 1000;
  return new Date(Math.floor(ms / step) * step);
}
