import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CONTAINER_EVENTS_KEPT, type ContainerEvent } from '@chatops/protocol';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { LiveService } from '../live/live.service';
import { ContainerEventEntity, toContainerEvent } from './container-event.entity';

/** Pending events are written at most this long after they arrived... */
const FLUSH_MS = 250;
/** ...or at once when this many are waiting (one INSERT each time). */
const FLUSH_AT = 200;
/** A server's old events are pruned once this many new ones were written for it (by this instance). */
export const PRUNE_AFTER = 50;

interface Pending { serverId: string; event: ContainerEvent }

/**
 * Container events from the agents: relayed at once to the server's `/live` subscribers, and kept
 * for `GET /docker/{serverId}/events` — written in batches (one INSERT per flush, not per event),
 * the newest CONTAINER_EVENTS_KEPT per server kept, older ones deleted in batches (a server is
 * pruned once PRUNE_AFTER new events were written for it, so at most KEPT + PRUNE_AFTER rows per
 * server and instance). The alert engine listens to `agent.container_event` on the bus itself.
 */
@Injectable()
export class ContainerEventsService implements OnApplicationShutdown {
  private readonly logger = new Logger(ContainerEventsService.name);
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Flushes run one after another. */
  private chain: Promise<void> = Promise.resolve();
  private readonly sincePrune = new Map<string, number>();

  constructor(
    @InjectRepository(ContainerEventEntity) private readonly repo: Repository<ContainerEventEntity>,
    private readonly live: LiveService,
  ) {}

  @OnChatopsEvent('agent.container_event')
  onEvent({ serverId, ...event }: ChatopsEvents['agent.container_event']): void {
    this.live.emitToServer(serverId, 'container_event', { serverId, event });
    this.pending.push({ serverId, event });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  @OnChatopsEvent('server.deleted')
  onServerDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    this.pending = this.pending.filter((p) => p.serverId !== serverId);
    this.sincePrune.delete(serverId);
  }

  /** Newest first; whatever arrived on this instance is written first, so a read sees it. */
  async list(serverId: string, limit: number, containerId?: string): Promise<ContainerEvent[]> {
    await this.flush();
    const qb = this.repo.createQueryBuilder('e')
      .where('e.server_id = :serverId', { serverId })
      .orderBy('e.time', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(limit);
    if (containerId) qb.andWhere('(e.container_id = :cid OR e.name = :cid OR starts_with(e.container_id, :cid))', { cid: containerId });
    return (await qb.getMany()).map(toContainerEvent);
  }

  /** Writes what is pending (one statement), then prunes the servers that got enough new events. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => this.write(batch));
    return this.chain;
  }

  /** Keeps the newest CONTAINER_EVENTS_KEPT events of each server, in one statement. */
  async prune(serverIds: string[]): Promise<void> {
    if (!serverIds.length) return;
    await this.repo.query(
      `DELETE FROM container_events WHERE id IN (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY server_id ORDER BY time DESC, id DESC) AS rn
             FROM container_events WHERE server_id = ANY($1::uuid[])
         ) ranked WHERE rn > $2)`,
      [serverIds, CONTAINER_EVENTS_KEPT],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(batch: Pending[]): Promise<void> {
    if (!batch.length) return;
    try {
      // One JSON parameter for the whole batch; events of servers deleted meanwhile are skipped.
      await this.repo.query(
        `INSERT INTO container_events (server_id, container_id, name, image, action, exit_code, health, time)
         SELECT u.server_id, u.container_id, u.name, u.image, u.action, u.exit_code, u.health, u.time
           FROM jsonb_to_recordset($1::jsonb) AS u(server_id uuid, container_id text, name text, image text, action text,
                                                   exit_code integer, health text, time timestamptz)
          WHERE EXISTS (SELECT 1 FROM servers s WHERE s.id = u.server_id)`,
        [JSON.stringify(batch.map(({ serverId, event: e }) => ({
          server_id: serverId, container_id: e.containerId, name: e.name, image: e.image, action: e.action,
          exit_code: e.exitCode, health: e.health, time: e.time,
        })))],
      );
    } catch (err) {
      // Live subscribers got them; only the history misses this batch.
      this.logger.warn({ err: (err as Error).message, count: batch.length }, 'Could not store container events');
      return;
    }
    const due = new Set<string>();
    for (const { serverId } of batch) {
      const n = (this.sincePrune.get(serverId) ?? 0) + 1;
      this.sincePrune.set(serverId, n);
      if (n >= PRUNE_AFTER) due.add(serverId);
    }
    for (const id of due) this.sincePrune.delete(id);
    await this.prune([...due]).catch((err) => this.logger.warn({ err: (err as Error).message }, 'Could not prune container events'));
  }
}
