import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MetricsSample } from '@chatops/protocol';
import { isDataError } from '../../common/db-errors';
import { ChatopsEvents, EventBus, OnChatopsEvent } from '../../events';
import { detailOf, quoteArrayElement } from './detail-series';
import { LatestSamples } from './latest-samples.service';
import { narrowRow } from './narrow-row';
import { LATE_SAMPLE_MS } from './metrics-rollup.service';
import { MetricsErrorCode, MetricsException } from './metrics.errors';

/** Tunables; see docs/performance.md for how they were chosen. */
export const INGEST = {
  /** Longest a sample waits in the buffer before its batch is written. */
  flushDelayMs: 20,
  /** A batch is written as soon as it has this many rows. */
  maxBatchRows: 1000,
  /** Beyond this many pending rows (storage down or slow) new samples are refused, not acked. */
  maxPendingRows: 50_000,
};

const UNAVAILABLE = () => new MetricsException(MetricsErrorCode.IngestUnavailable, 'storage unavailable');
/** The gateway answers this one `{ok:false}` (resending would not help); see agents.gateway.ts `isRefused`. */
const REFUSED = () => new MetricsException(MetricsErrorCode.IngestInvalid, 'a value is out of the range the database can store');

interface Pending {
  serverId: string;
  samples: MetricsSample[];
  /** "<server>|<bootId>" of each sample: the boot-ref cache key, built once. */
  bootKeys: string[];
  resolve: (stored: number) => void;
  reject: (err: Error) => void;
}

/**
 * A PostgreSQL array literal built by joining: every element is a uuid, an integer, a finite number
 * or an ISO timestamp (validated by the protocol schema), none of which needs quoting. node-postgres
 * would otherwise escape each element of each column (a measurable share of the flush).
 */
function arrayLiteral(values: readonly (string | number | null)[]): string {
  // join() writes null as an empty element, which PostgreSQL would refuse: spell it out when present
  return `{${(values.includes(null) ? values.map((v) => (v === null ? 'NULL' : v)) : values).join(',')}}`;
}

/**
 * One buffer for the samples of every agent: rows are written in multi-row INSERTs (one per flush,
 * `ON CONFLICT DO NOTHING` on (server, boot, seq)), and each caller's promise resolves only after
 * the transaction committed, with how many of its samples were new. Then `metrics.received` goes
 * out on the event bus for each new sample.
 */
@Injectable()
export class MetricsIngestService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsIngestService.name);
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly bootRefs = new Map<string, number>();
  private stopped = false;
  /** Counters for operators and the benchmark. */
  readonly stats = { stored: 0, duplicates: 0, batches: 0, failedBatches: 0, refused: 0 };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly latest: LatestSamples,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.stopped = false;
  }

  /** Queues samples of one server; resolves with the number newly stored once they are durable. */
  ingest(serverId: string, samples: MetricsSample[]): Promise<number> {
    if (!samples.length) return Promise.resolve(0);
    if (this.stopped) return Promise.reject(new MetricsException(MetricsErrorCode.IngestStopped, 'shutting down'));
    if (this.queuedRows + samples.length > INGEST.maxPendingRows) {
      this.stats.refused += samples.length;
      return Promise.reject(new MetricsException(MetricsErrorCode.IngestBackpressure, 'storage is behind; retry later'));
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ serverId, samples, bootKeys: samples.map((s) => `${serverId}|${s.bootId}`), resolve, reject });
      this.queuedRows += samples.length;
      if (this.queuedRows >= INGEST.maxBatchRows) this.kick();
      else if (!this.timer) this.timer = setTimeout(() => this.kick(), INGEST.flushDelayMs);
    });
  }

  /** Writes everything queued now (used by shutdown and tests). */
  async drain(): Promise<void> {
    while (this.queue.length || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.drain().catch(() => undefined);
    // Samples drained just now changed the latest ones: persist them whatever order Nest runs the
    // shutdown hooks in, so a restarted backend answers with the true latest sample.
    await this.latest.persist();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || !this.queue.length) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      // What arrived meanwhile has already waited as long as that flush took: write it now
      // (group commit). Waiting flushDelayMs again capped the rate at batch / (flush + delay).
      if (this.queue.length) this.kick();
    });
  }

  private async flush(): Promise<void> {
    // Take whole requests up to the batch size (at least one request).
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length && (rows === 0 || rows + this.queue[0].samples.length <= INGEST.maxBatchRows)) {
      const p = this.queue.shift()!;
      batch.push(p);
      rows += p.samples.length;
    }
    this.queuedRows -= rows;
    try {
      this.settle(batch, await this.store(batch));
    } catch (err) {
      this.stats.failedBatches++;
      if (!isDataError(err)) {
        this.logger.error({ err: (err as Error).message, rows }, 'Could not store a metrics batch; agents will resend');
        const failure = UNAVAILABLE();
        for (const p of batch) p.reject(failure);
        return;
      }
      // A value PostgreSQL refuses fails the whole statement: store each request on its own so
      // that only the offending one is refused, and the other agents' samples are not held back.
      this.logger.warn({ err: (err as Error).message, rows }, 'A metrics batch was refused by the database; storing its requests one by one');
      for (const p of batch) {
        try {
          this.settle([p], await this.store([p]));
        } catch (e) {
          if (isDataError(e) && p.samples.length > 1) await this.storeOneByOne(p);
          else p.reject(isDataError(e) ? REFUSED() : UNAVAILABLE());
        }
      }
    }
  }

  /**
   * A replayed batch the database refused: its samples one by one, so that one bad row does not
   * cost the agent the rest of its buffer. Resolves with the number stored (the refused ones are
   * not counted); refused only when none could be stored. Failure path only.
   */
  private async storeOneByOne(p: Pending): Promise<void> {
    let stored = 0;
    let refused = 0;
    for (let i = 0; i < p.samples.length; i++) {
      const one: Pending = { serverId: p.serverId, samples: [p.samples[i]], bootKeys: [p.bootKeys[i]], resolve: (n) => void (stored += n), reject: () => undefined };
      try {
        this.settle([one], await this.store([one]));
      } catch (e) {
        if (!isDataError(e)) return p.reject(UNAVAILABLE()); // resent later; what was stored is deduplicated
        refused++;
      }
    }
    if (refused) this.logger.warn({ serverId: p.serverId, refused, stored }, 'The database refused some samples of a batch; the others were stored');
    if (refused === p.samples.length) p.reject(REFUSED());
    else p.resolve(stored);
  }

  /** Writes the batch; returns the keys of the rows newly inserted. */
  private async store(batch: Pending[]): Promise<Set<string>> {
    const newRefs = new Map<string, number>();
    // The common case (every boot already interned) is one INSERT statement, atomic on its own:
    // no BEGIN/COMMIT round trips. A new boot id needs its agent_boots row in the same transaction.
    const inserted = this.hasAllBootRefs(batch)
      ? await this.write(this.db.manager, batch, newRefs)
      : await this.db.transaction((tx) => this.write(tx, batch, newRefs));
    // Boot refs are cached only once their row is committed.
    for (const [k, v] of newRefs) this.bootRefs.set(k, v);
    return inserted;
  }

  /** Resolves each request with how many of its samples were new, and announces those. */
  private settle(batch: Pending[], inserted: Set<string>): void {
    this.stats.batches++;
    const receivedAt = new Date();
    for (const p of batch) {
      let stored = 0;
      for (let i = 0; i < p.samples.length; i++) {
        const s = p.samples[i];
        const key = `${this.bootRefs.get(p.bootKeys[i]) ?? 0}|${s.seq}`;
        if (inserted.has(key)) {
          inserted.delete(key); // a duplicate within the same batch counts once
          stored++;
          this.latest.offer(p.serverId, s);
          this.events.emit('metrics.received', { serverId: p.serverId, sample: s, receivedAt });
        }
      }
      this.stats.stored += stored;
      this.stats.duplicates += p.samples.length - stored;
      p.resolve(stored);
    }
  }

  /** Returns the keys "<bootRef>|<seq>" (the primary key) of rows that were newly inserted. */
  private async write(tx: EntityManager, batch: Pending[], newRefs: Map<string, number>): Promise<Set<string>> {
    await this.resolveBootRefs(tx, batch, newRefs);
    const cols = { server: [] as string[], boot: [] as number[], seq: [] as number[], ts: [] as string[], cpu: [] as number[], mem: [] as number[], swap: [] as (number | null)[], disk: [] as (number | null)[], load1: [] as number[], rx: [] as (number | null)[], tx: [] as (number | null)[], detail: [] as string[] };
    for (const p of batch) {
      for (let i = 0; i < p.samples.length; i++) {
        const s = p.samples[i];
        const r = narrowRow(s);
        cols.server.push(p.serverId);
        cols.boot.push(this.bootRefs.get(p.bootKeys[i]) ?? newRefs.get(p.bootKeys[i]) ?? 0);
        cols.seq.push(s.seq);
        cols.ts.push(r.ts);
        cols.cpu.push(r.cpu);
        cols.mem.push(r.mem);
        cols.swap.push(r.swap);
        cols.disk.push(r.disk);
        cols.load1.push(r.load1);
        cols.rx.push(r.netRx);
        cols.tx.push(r.netTx);
        cols.detail.push(quoteArrayElement(detailOf(s)));
      }
    }
    // One statement: store the samples and, for late ones (an agent replaying its offline buffer),
    // mark their minute for re-aggregation by the rollup job.
    const rows: { boot_ref: number; seq: string }[] = await tx.query(
      `WITH ins AS (
         INSERT INTO metric_samples (server_id, boot_ref, seq, ts, cpu, mem, swap, disk, load1, net_rx, net_tx, detail)
         SELECT u.* FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::timestamptz[], $5::real[], $6::real[], $7::real[], $8::real[], $9::real[], $10::real[], $11::real[], $13::json[])
                AS u(server_id, boot_ref, seq, ts, cpu, mem, swap, disk, load1, net_rx, net_tx, detail)
         -- samples of a server deleted meanwhile are dropped instead of failing the whole batch
         WHERE u.boot_ref <> 0
         ON CONFLICT DO NOTHING
         RETURNING server_id, boot_ref, seq, ts
       ), late AS (
         INSERT INTO rollup_dirty (server_id, bucket)
         SELECT DISTINCT server_id, date_bin('1 minute', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') FROM ins WHERE ts < $12::timestamptz
         ON CONFLICT DO NOTHING
       )
       SELECT boot_ref, seq FROM ins`,
      [...[cols.server, cols.boot, cols.seq, cols.ts, cols.cpu, cols.mem, cols.swap, cols.disk, cols.load1, cols.rx, cols.tx].map(arrayLiteral), new Date(Date.now() - LATE_SAMPLE_MS).toISOString(), `{${cols.detail.join(',')}}`],
    );
    return new Set(rows.map((r) => `${r.boot_ref}|${r.seq}`));
  }

  private hasAllBootRefs(batch: Pending[]): boolean {
    for (const p of batch) for (const key of p.bootKeys) if (!this.bootRefs.has(key)) return false;
    return true;
  }

  /** Interns each (server, bootId) once; cached afterwards. */
  private async resolveBootRefs(tx: EntityManager, batch: Pending[], newRefs: Map<string, number>): Promise<void> {
    const missing = new Map<string, { serverId: string; bootId: string }>();
    for (const p of batch) {
      p.samples.forEach((s, i) => {
        const key = p.bootKeys[i];
        if (!this.bootRefs.has(key)) missing.set(key, { serverId: p.serverId, bootId: s.bootId });
      });
    }
    if (!missing.size) return;
    const list = [...missing.values()];
    const rows: { id: number; server_id: string; boot_id: string }[] = await tx.query(
      `INSERT INTO agent_boots (server_id, boot_id)
       SELECT u.server_id, u.boot_id FROM unnest($1::uuid[], $2::varchar[]) AS u(server_id, boot_id)
       WHERE EXISTS (SELECT 1 FROM servers s WHERE s.id = u.server_id)
       ON CONFLICT (server_id, boot_id) DO UPDATE SET boot_id = EXCLUDED.boot_id
       RETURNING id, server_id, boot_id`,
      [list.map((m) => m.serverId), list.map((m) => m.bootId)],
    );
    for (const r of rows) newRefs.set(`${r.server_id}|${r.boot_id}`, r.id);
  }

  /** Drops cached boot refs of a deleted server (their rows are gone with it). */
  @OnChatopsEvent('server.deleted')
  forgetServer({ serverId }: ChatopsEvents['server.deleted']): void {
    for (const key of this.bootRefs.keys()) if (key.startsWith(`${serverId}|`)) this.bootRefs.delete(key);
  }

  @Interval(60_000)
  trimBootCache(): void {
    if (this.bootRefs.size > 100_000) this.bootRefs.clear();
  }
}
