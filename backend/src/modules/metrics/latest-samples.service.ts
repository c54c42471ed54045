import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LatestMetrics, MetricsSample } from '@chatops/protocol';
import { isDataError } from '../../common/db-errors';
import { SharedRedis } from '../../common/shared-redis.service';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';

/** Servers per upsert statement: bounds the time one statement holds the event loop. */
const PERSIST_CHUNK = 500;
/**
 * Samples received here are published to Redis for the other instances right after the ingest
 * flush that stored them (one pipeline for all of them): by the time the agent has its ack, another
 * instance answers that sample. (A 100 ms window let a GET right after the ack find nothing.)
 */
const SHARE_DELAY_MS = 0;
/** After a failed publish (Redis away), the next try. */
const SHARE_RETRY_MS = 1000;
/** A shared sample outlives its agent's silence this long; then the persisted one (PostgreSQL) answers. */
const SHARED_TTL_MS = 24 * 3600_000;
/** Keys per MGET / commands per pipeline. */
const SHARE_CHUNK = 1000;
const sharedKey = (serverId: string) => `latest:${serverId}`;
/**
 * The last process list of a server, apart from its latest sample: agents send one with every
 * sixth sample, so it is written when it changes instead of with every sample (a list of 20
 * processes is ~1.7 KB, nearly twice the rest of a sample).
 */
const sharedProcessesKey = (serverId: string) => `processes:${serverId}`;
/** What `latest:<id>` holds. Instances from before the split also wrote `processes` there. */
type SharedLatest = Omit<LatestSample, 'processes'> & Pick<Partial<LatestSample>, 'processes'>;

export type LatestSample = LatestMetrics;

/**
 * The newest full sample of every server, in memory for reads, persisted every 30 s (one
 * upsert for all changed servers) so that a restarted backend answers from the database.
 *
 * With several instances (REDIS_URL) each server's samples arrive at the one instance holding its
 * agent: that instance also publishes them to Redis (one pipeline per SHARE_DELAY_MS), and reads for a
 * server (`get`, `preload`) look there first, so any instance, also one that just started, answers
 * the newest sample (about SHARE_DELAY_MS after the agent's instance). Redis down or the
 * key gone: memory, then PostgreSQL.
 */
@Injectable()
export class LatestSamples implements OnApplicationShutdown {
  private readonly logger = new Logger(LatestSamples.name);
  private readonly byServer = new Map<string, LatestSample>();
  private readonly dirty = new Set<string>();
  /** Received here since the last publish to Redis. */
  private readonly unshared = new Set<string>();
  /** Servers whose process list changed since the last publish to Redis. */
  private readonly unsharedProcesses = new Set<string>();
  private shareTimer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource, private readonly shared: SharedRedis) {}

  /**
   * Keeps the sample if it is newer than what is held (replayed old samples do not win), and the
   * last process list: a sample without processes keeps the one held (agents send them every sixth).
   */
  offer(serverId: string, sample: MetricsSample): void {
    const held = this.byServer.get(serverId);
    if (held && Date.parse(held.timestamp) > Date.parse(sample.timestamp)) return;
    const processes = sample.processes ? { timestamp: sample.timestamp, list: sample.processes } : held?.processes;
    this.byServer.set(serverId, processes ? { serverId, timestamp: sample.timestamp, sample, processes } : { serverId, timestamp: sample.timestamp, sample });
    this.dirty.add(serverId);
    if (!this.shared.client) return;
    this.unshared.add(serverId);
    if (sample.processes) this.unsharedProcesses.add(serverId);
    this.scheduleShare(SHARE_DELAY_MS);
  }

  peek(serverId: string): LatestSample | undefined {
    return this.byServer.get(serverId);
  }

  async get(serverId: string): Promise<LatestSample | null> {
    await this.preload([serverId]);
    return this.byServer.get(serverId) ?? null;
  }

  /**
   * Brings the latest samples of these servers up to date before they are read: from Redis
   * (several instances: another one may hold the agent), then PostgreSQL for servers still
   * unknown here (after a restart). A held sample that is newer wins.
   */
  async preload(serverIds: readonly string[]): Promise<void> {
    if (this.shared.client) await this.loadShared(serverIds);
    const missing = serverIds.filter((id) => !this.byServer.has(id));
    if (!missing.length) return;
    const rows: { server_id: string; ts: Date; sample: MetricsSample }[] = await this.db.query(
      'SELECT server_id, ts, sample FROM metric_latest WHERE server_id = ANY($1::uuid[])',
      [missing],
    );
    for (const r of rows) {
      if (!this.byServer.has(r.server_id)) this.byServer.set(r.server_id, { serverId: r.server_id, timestamp: r.ts.toISOString(), sample: r.sample });
    }
  }

  /** One MGET per chunk (samples and process lists); a Redis failure leaves memory and PostgreSQL to answer. */
  private async loadShared(serverIds: readonly string[]): Promise<void> {
    const client = this.shared.client;
    if (!client) return;
    const chunk = SHARE_CHUNK / 2;
    for (let i = 0; i < serverIds.length; i += chunk) {
      const ids = serverIds.slice(i, i + chunk);
      let values: (string | null)[];
      try {
        values = await client.mget([...ids.map(sharedKey), ...ids.map(sharedProcessesKey)]);
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'Could not read shared latest samples');
        return;
      }
      ids.forEach((id, k) => {
        const value = values[k];
        if (!value) return;
        const { processes: legacy, ...latest } = JSON.parse(value) as SharedLatest;
        const listed = values[ids.length + k];
        const processes = listed ? (JSON.parse(listed) as NonNullable<LatestSample['processes']>) : legacy;
        const held = this.byServer.get(id);
        if (held && Date.parse(held.timestamp) >= Date.parse(latest.timestamp)) return;
        this.byServer.set(id, processes ? { ...latest, processes } : latest);
      });
    }
  }

  /** Publishes the samples received here since the last run, for the other instances. */
  async share(): Promise<void> {
    const client = this.shared.client;
    if (!client || !this.unshared.size) return;
    const items = [...this.unshared].map((id) => this.byServer.get(id)).filter((x): x is LatestSample => !!x);
    const withProcesses = new Set(this.unsharedProcesses);
    this.unshared.clear();
    this.unsharedProcesses.clear();
    for (let i = 0; i < items.length; i += SHARE_CHUNK) {
      const chunk = items.slice(i, i + SHARE_CHUNK);
      const pipeline = client.pipeline();
      for (const { processes, ...latest } of chunk) {
        pipeline.set(sharedKey(latest.serverId), JSON.stringify(latest), 'PX', SHARED_TTL_MS);
        if (processes && withProcesses.has(latest.serverId)) pipeline.set(sharedProcessesKey(latest.serverId), JSON.stringify(processes), 'PX', SHARED_TTL_MS);
      }
      const failed = await pipeline.exec().then((results) => results?.some(([err]) => err) ?? true, () => true);
      if (!failed) continue;
      // Redis is away (a restart): these go again once it answers, unless a newer sample replaced them.
      for (const item of chunk) {
        // A newer sample carries the same list or a newer one: the list goes with it.
        if (withProcesses.has(item.serverId)) this.unsharedProcesses.add(item.serverId);
        if (this.byServer.get(item.serverId) === item) this.unshared.add(item.serverId);
      }
      this.scheduleShare(SHARE_RETRY_MS);
    }
  }

  private scheduleShare(delayMs: number): void {
    if (this.shareTimer || !this.shared.client) return;
    this.shareTimer = setTimeout(() => {
      this.shareTimer = null;
      void this.share();
    }, delayMs);
    this.shareTimer.unref();
  }


  /**
   * Every 30 s: each persisted row is a whole ~1-3 KB JSONB sample, so with 5,000 agents a 5 s
   * period wrote more bytes than the time series itself (and each write showed up as an ack-latency
   * bump). Shutdown persists too, and after a crash the agent's next frame (within one interval)
   * replaces what was lost; until then the REST API serves the last persisted sample.
   */
  @Interval(30_000)
  async persist(): Promise<void> {
    if (!this.dirty.size) return;
    const items = [...this.dirty].map((id) => this.byServer.get(id)).filter((x): x is LatestSample => !!x);
    this.dirty.clear();
    for (let i = 0; i < items.length; i += PERSIST_CHUNK) {
      const chunk = items.slice(i, i + PERSIST_CHUNK);
      try {
        await this.upsert(chunk);
      } catch (err) {
        if (isDataError(err)) {
          await this.persistOneByOne(chunk, err as Error);
          continue;
        }
        for (const c of chunk) if (this.byServer.has(c.serverId)) this.dirty.add(c.serverId);
        this.logger.warn({ err: (err as Error).message }, 'Could not persist latest samples; will retry');
      }
    }
  }

  /**
   * The database refused a value in the chunk: one server's sample must not keep every other
   * server's from being saved (until that server sends a clean one), so each row is written on its
   * own. A refused row is dropped from this round and logged; the server's next sample is offered
   * again as usual. Only on this failure path: one statement per row.
   */
  private async persistOneByOne(chunk: LatestSample[], cause: Error): Promise<void> {
    const refused: string[] = [];
    for (const c of chunk) {
      try {
        await this.upsert([c]);
      } catch (err) {
        if (isDataError(err)) refused.push(c.serverId);
        else if (this.byServer.has(c.serverId)) this.dirty.add(c.serverId);
      }
    }
    this.logger.warn({ err: cause.message, refused }, 'The database refused the latest sample of some servers; the others were saved');
  }

  /**
   * One JSON text parameter per chunk: passing a jsonb[] array made node-postgres escape every
   * element (measured: a 550 ms event-loop block for 5,000 samples).
   */
  private async upsert(chunk: LatestSample[]): Promise<void> {
    await this.db.query(
      `INSERT INTO metric_latest (server_id, ts, sample, received_at)
       SELECT u.server_id, u.ts, u.sample, now()
       FROM jsonb_to_recordset($1::jsonb) AS u(server_id uuid, ts timestamptz, sample jsonb)
       WHERE EXISTS (SELECT 1 FROM servers s WHERE s.id = u.server_id)
       ON CONFLICT (server_id) DO UPDATE
         SET ts = EXCLUDED.ts, sample = EXCLUDED.sample, received_at = EXCLUDED.received_at
         WHERE metric_latest.ts <= EXCLUDED.ts`,
      [JSON.stringify(chunk.map((c) => ({ server_id: c.serverId, ts: c.timestamp, sample: c.sample })))],
    );
  }

  @OnChatopsEvent('server.deleted')
  forget({ serverId }: ChatopsEvents['server.deleted']): void {
    this.byServer.delete(serverId);
    this.dirty.delete(serverId);
    this.unshared.delete(serverId);
    this.unsharedProcesses.delete(serverId);
    this.shared.client?.del(sharedKey(serverId), sharedProcessesKey(serverId)).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.shareTimer) clearTimeout(this.shareTimer);
    this.shareTimer = null;
    await Promise.all([this.share(), this.persist()]);
  }
}
