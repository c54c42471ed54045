import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ContainerSummary, FleetSummary, LatestMetrics, MetricsSample } from '@chatops/protocol';
import { isDataError } from '../../common/db-errors';
import { SharedRedis } from '../../common/shared-redis.service';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { narrowRow } from './narrow-row';

/** Servers per upsert statement: bounds the time one statement holds the event loop. */
const PERSIST_CHUNK = 500;
/** PostgreSQL's copy of the latest samples is brought up to date this often (and when agents leave). */
const PERSIST_EVERY_MS = 5 * 60_000;
/** Agents that disconnect within this window have their servers' samples persisted in one upsert. */
const LEAVING_DELAY_MS = 1000;
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

/** What the fleet overview shows of a server's newest sample. */
export type SampleValues = Pick<FleetSummary, 'timestamp' | 'cpuPercent' | 'memoryPercent' | 'diskPercent' | 'load1' | 'containersRunning' | 'containersTotal' | 'containersUnhealthy'>;

/**
 * Text kept outside the JavaScript heap, in a buffer rewritten in place while it fits. With 10,000
 * agents every server's newest sample lived 5 s (long enough to be promoted to the old generation)
 * and was then replaced: as the parsed object graph it was 172 MB of the 436 MB of allocations
 * sampled as surviving a scavenge in 30 s (docs/performance.md), old-generation garbage that only a
 * major GC reclaims. A slot allocates only when a text outgrows it.
 */
class TextSlot {
  private bytes = EMPTY;
  private length = 0;

  set(text: string): void {
    const size = Buffer.byteLength(text);
    // A quarter of headroom: the next sample of the same server is rarely much longer.
    if (size > this.bytes.length) this.bytes = Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / 256) * 256);
    this.length = this.bytes.write(text, 0);
  }

  get text(): string {
    return this.bytes.toString('utf8', 0, this.length);
  }

  get empty(): boolean {
    return this.length === 0;
  }
}
const EMPTY = Buffer.alloc(0);

/**
 * A server's newest sample, updated in place: its text, and the few values the fleet stream reads
 * on every flush (so it never parses the text).
 */
class Held {
  /** `values.timestamp` in epoch milliseconds (compared on every offer). */
  at = 0;
  /** The sample as the agent sent it, as JSON. */
  readonly sample = new TextSlot();
  /** The last process list as JSON `{timestamp, list}`; kept while newer samples carry none. */
  readonly processes = new TextSlot();
  readonly values: SampleValues = { timestamp: null, cpuPercent: null, memoryPercent: null, diskPercent: null, load1: null, containersRunning: null, containersTotal: null, containersUnhealthy: null };

  constructor(readonly serverId: string) {}

  get timestamp(): string {
    return this.values.timestamp!;
  }

  update(sample: MetricsSample): void {
    const row = narrowRow(sample);
    this.at = Date.parse(sample.timestamp);
    this.sample.set(JSON.stringify(sample));
    Object.assign(this.values, { timestamp: sample.timestamp, cpuPercent: row.cpu, memoryPercent: row.mem, diskPercent: row.disk, load1: row.load1 }, countContainers(sample.containers));
  }
}

/**
 * The newest full sample of every server, in memory for reads, persisted to PostgreSQL when its
 * agent disconnects, every 5 minutes and at shutdown, so that a restarted backend answers from the database.
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
  private readonly byServer = new Map<string, Held>();
  private readonly dirty = new Set<string>();
  /** Received here since the last publish to Redis. */
  private readonly unshared = new Set<string>();
  /** Servers whose process list changed since the last publish to Redis. */
  private readonly unsharedProcesses = new Set<string>();
  private shareTimer: NodeJS.Timeout | null = null;
  /** Servers whose agent disconnected, persisted together shortly after. */
  private readonly leaving = new Set<string>();
  private leavingTimer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource, private readonly shared: SharedRedis) {}

  /**
   * Keeps the sample if it is newer than what is held (replayed old samples do not win), and the
   * last process list: a sample without processes keeps the one held (agents send them every sixth).
   */
  offer(serverId: string, sample: MetricsSample): void {
    const held = this.byServer.get(serverId);
    if (held && held.at > Date.parse(sample.timestamp)) return;
    this.hold(serverId, sample, sample.processes ? JSON.stringify({ timestamp: sample.timestamp, list: sample.processes }) : undefined);
    this.dirty.add(serverId);
    if (!this.shared.client) return;
    this.unshared.add(serverId);
    if (sample.processes) this.unsharedProcesses.add(serverId);
    this.scheduleShare(SHARE_DELAY_MS);
  }

  /** The newest sample held here, parsed again (for occasional readers; the fleet stream reads `values`). */
  peek(serverId: string): LatestSample | undefined {
    const held = this.byServer.get(serverId);
    if (!held) return undefined;
    const latest: LatestSample = { serverId, timestamp: held.timestamp, sample: JSON.parse(held.sample.text) as MetricsSample };
    if (!held.processes.empty) latest.processes = JSON.parse(held.processes.text) as NonNullable<LatestSample['processes']>;
    return latest;
  }

  /** The fleet overview's values of the newest sample held here (read them at once: they change in place). */
  values(serverId: string): SampleValues | undefined {
    return this.byServer.get(serverId)?.values;
  }

  async get(serverId: string): Promise<LatestSample | null> {
    await this.preload([serverId]);
    return this.peek(serverId) ?? null;
  }

  /** `processes` (JSON `{timestamp, list}`) replaces the list held; without it the list held stays. */
  private hold(serverId: string, sample: MetricsSample, processes: string | undefined): void {
    let held = this.byServer.get(serverId);
    if (!held) this.byServer.set(serverId, (held = new Held(serverId)));
    held.update(sample);
    if (processes) held.processes.set(processes);
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
      if (!this.byServer.has(r.server_id)) this.hold(r.server_id, r.sample, undefined);
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
        const { processes: legacy, sample } = JSON.parse(value) as SharedLatest;
        const held = this.byServer.get(id);
        if (held && held.at >= Date.parse(sample.timestamp)) return;
        this.hold(id, sample, values[ids.length + k] ?? (legacy ? JSON.stringify(legacy) : undefined));
      });
    }
  }

  /** Publishes the samples received here since the last run, for the other instances. */
  async share(): Promise<void> {
    const client = this.shared.client;
    if (!client || !this.unshared.size) return;
    const items = [...this.unshared].map((id) => this.byServer.get(id)).filter((x): x is Held => !!x);
    const withProcesses = new Set(this.unsharedProcesses);
    this.unshared.clear();
    this.unsharedProcesses.clear();
    for (let i = 0; i < items.length; i += SHARE_CHUNK) {
      const chunk = items.slice(i, i + SHARE_CHUNK);
      const pipeline = client.pipeline();
      for (const held of chunk) {
        // SharedLatest, from the text held: the sample is not serialised again.
        pipeline.set(sharedKey(held.serverId), `{"serverId":${JSON.stringify(held.serverId)},"timestamp":${JSON.stringify(held.timestamp)},"sample":${held.sample.text}}`, 'PX', SHARED_TTL_MS);
        if (!held.processes.empty && withProcesses.has(held.serverId)) pipeline.set(sharedProcessesKey(held.serverId), held.processes.text, 'PX', SHARED_TTL_MS);
      }
      const failed = await pipeline.exec().then((results) => results?.some(([err]) => err) ?? true, () => true);
      if (!failed) continue;
      // Redis is away (a restart): these go again once it answers, unless a newer sample replaced them.
      for (const item of chunk) {
        // Held entries change in place: what goes again is the newest sample (and list).
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
   * PostgreSQL's copy is read only when memory and Redis have nothing: after a restart, and for a
   * server whose agent is gone. So it is written when an agent disconnects (its server's last
   * sample, within LEAVING_DELAY_MS, one upsert for all that left meanwhile), at shutdown, and
   * otherwise every PERSIST_EVERY_MS. Each row is a whole ~1-3 KB JSONB sample: every 30 s for
   * 10,000 agents was 15 MB of row versions per run and showed up as ack-latency spikes. After a
   * crash an agent's next frame (within one interval) replaces what was lost.
   */
  @Interval(PERSIST_EVERY_MS)
  async persist(): Promise<void> {
    await this.persistSome([...this.dirty]);
  }

  @OnChatopsEvent('agent.disconnected')
  onAgentGone({ serverId }: ChatopsEvents['agent.disconnected']): void {
    // Its last samples may still be in an ingest flush: whether they are unsaved is asked when the timer runs.
    if (!this.byServer.has(serverId)) return;
    this.leaving.add(serverId);
    this.leavingTimer ??= setTimeout(() => {
      this.leavingTimer = null;
      const ids = [...this.leaving];
      this.leaving.clear();
      void this.persistSome(ids);
    }, LEAVING_DELAY_MS);
    this.leavingTimer.unref();
  }

  private async persistSome(ids: string[]): Promise<void> {
    const items = ids.filter((id) => this.dirty.delete(id)).map((id) => this.byServer.get(id)).filter((x): x is Held => !!x);
    if (!items.length) return;
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
  private async persistOneByOne(chunk: Held[], cause: Error): Promise<void> {
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
   * One JSON text parameter per chunk, joined from the text held: passing a jsonb[] array made
   * node-postgres escape every element (measured: a 550 ms event-loop block for 5,000 samples).
   */
  private async upsert(chunk: Held[]): Promise<void> {
    await this.db.query(
      `INSERT INTO metric_latest (server_id, ts, sample, received_at)
       SELECT u.server_id, u.ts, u.sample, now()
       FROM jsonb_to_recordset($1::jsonb) AS u(server_id uuid, ts timestamptz, sample jsonb)
       WHERE EXISTS (SELECT 1 FROM servers s WHERE s.id = u.server_id)
       ON CONFLICT (server_id) DO UPDATE
         SET ts = EXCLUDED.ts, sample = EXCLUDED.sample, received_at = EXCLUDED.received_at
         WHERE metric_latest.ts <= EXCLUDED.ts`,
      [`[${chunk.map((c) => `{"server_id":${JSON.stringify(c.serverId)},"ts":${JSON.stringify(c.timestamp)},"sample":${c.sample.text}}`).join(',')}]`],
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
    if (this.leavingTimer) clearTimeout(this.leavingTimer);
    this.leavingTimer = null;
    this.leaving.clear();
    await Promise.all([this.share(), this.persist()]);
  }
}

/**
 * Container counts of a sample (one pass over its list, no query): running, all, and unhealthy
 * (Docker's health check shows as `(unhealthy)` in the status). All null when the sample has no
 * container list (no Docker on the agent).
 */
export function countContainers(containers: ContainerSummary[] | undefined): Pick<FleetSummary, 'containersRunning' | 'containersTotal' | 'containersUnhealthy'> {
  if (!containers) return { containersRunning: null, containersTotal: null, containersUnhealthy: null };
  let running = 0;
  let unhealthy = 0;
  for (const c of containers) {
    if (c.state === 'running') running++;
    if (c.status.includes('(unhealthy)')) unhealthy++;
  }
  return { containersRunning: running, containersTotal: containers.length, containersUnhealthy: unhealthy };
}
