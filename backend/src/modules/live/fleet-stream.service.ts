import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { FleetSummary, ServerStatus } from '@chatops/protocol';
import type { AuthUser } from '../../common/decorators';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { LatestSamples, type SampleValues } from '../metrics/latest-samples.service';
import { ServersService } from '../servers/servers.service';
import { FLEET_ADMIN_ROOM, fleetScopeRoom, LiveNamespace, roomMayHaveMembers } from './live-socket';

/** A server that has sent no sample yet. */
const NO_VALUES: SampleValues = { timestamp: null, cpuPercent: null, memoryPercent: null, diskPercent: null, load1: null, containersRunning: null, containersTotal: null, containersUnhealthy: null };

/** At most one `fleet_summary` per server per this many milliseconds. */
export const FLEET_FLUSH_MS = 1000;

interface FleetEntry {
  /** undefined while the owner is being looked up (the entry stays dirty until then). */
  /** The server's fleet room (its owner's or its team's); undefined while the lookup runs. */
  room: string | undefined;
  status: ServerStatus;
  /** True once a `server.status` event set the status (newer than any database read). */
  statusKnown: boolean;
  lastSeen: number | null;
  openAlerts: number;
}

/**
 * The fleet overview stream. Events only mark a server dirty (O(1) per sample); a ticker builds
 * each dirty server's summary once and broadcasts it to two rooms, its owner's and the admins',
 * so the work per tick scales with the servers that changed, never with users or subscribers.
 * Metric values are read from LatestSamples at flush time, so a replayed old sample cannot
 * move a summary backwards.
 */
@Injectable()
export class FleetStream {
  private readonly logger = new Logger(FleetStream.name);
  private namespace: LiveNamespace | null = null;
  private readonly entries = new Map<string, FleetEntry>();
  private readonly dirty = new Set<string>();
  readonly stats = { flushed: 0 };

  constructor(
    private readonly servers: ServersService,
    private readonly latest: LatestSamples,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'redisUrl'>,
  ) {}

  bind(namespace: LiveNamespace): void {
    this.namespace = namespace;
  }

  @OnChatopsEvent('metrics.received')
  onMetrics({ serverId, receivedAt }: ChatopsEvents['metrics.received']): void {
    const entry = this.entry(serverId);
    const at = receivedAt.getTime();
    if (entry.lastSeen === null || at > entry.lastSeen) entry.lastSeen = at;
    this.dirty.add(serverId);
  }

  @OnChatopsEvent('server.status')
  onStatus({ serverId, status, lastSeen }: ChatopsEvents['server.status']): void {
    const entry = this.entry(serverId);
    entry.status = status;
    entry.statusKnown = true;
    if (lastSeen) entry.lastSeen = lastSeen.getTime();
    this.dirty.add(serverId);
  }

  /**
   * A server moved between a user and a team: its summaries go to the new room from now on. On
   * every instance (relayed from the one that made the change), so whichever holds the agent routes them.
   */
  @OnChatopsEvent('server.owner_changed')
  onOwnerChanged({ serverId, ownerId, teamId }: ChatopsEvents['server.owner_changed']): void {
    const entry = this.entries.get(serverId);
    if (entry) entry.room = fleetScopeRoom({ ownerId, teamId });
  }

  @OnChatopsEvent('server.deleted')
  onDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    this.entries.delete(serverId);
    this.dirty.delete(serverId);
  }

  /**
   * Hook for the alerts module: the number of open (active or acknowledged) alerts of a server.
   * Until that module calls it every summary says 0.
   */
  setOpenAlerts(serverId: string, count: number): void {
    const entry = this.entry(serverId);
    if (entry.openAlerts === count) return;
    entry.openAlerts = count;
    this.dirty.add(serverId);
  }

  /** The current summary of every server the user can see (admins: all), for `subscribe_fleet`. */
  async snapshot(user: AuthUser): Promise<FleetSummary[]> {
    const rows = await this.servers.list(user);
    // After a restart the latest samples are in the database until each agent's next frame.
    await this.latest.preload(rows.map((row) => row.id));
    return rows.map((row) => {
      const entry = this.entries.get(row.id);
      const dbSeen = row.lastSeen ? Date.parse(row.lastSeen) : null;
      const lastSeen = entry?.lastSeen != null && (dbSeen === null || entry.lastSeen > dbSeen) ? entry.lastSeen : dbSeen;
      return this.summarise(row.id, entry?.statusKnown ? entry.status : row.status, lastSeen, entry?.openAlerts ?? 0);
    });
  }

  @Interval(FLEET_FLUSH_MS)
  flush(): void {
    if (!this.dirty.size) return;
    for (const serverId of this.dirty) {
      const entry = this.entries.get(serverId);
      if (!entry) {
        this.dirty.delete(serverId);
        continue;
      }
      if (entry.room === undefined) continue; // owner lookup in flight: next tick
      this.dirty.delete(serverId);
      const summary = this.summarise(serverId, entry.status, entry.lastSeen, entry.openAlerts);
      // One broadcast per room: with Redis 7 each has its own channel, so a summary reaches only the
      // instances where somebody watches that fleet. A socket is in the admins' room or in its owner
      // and team rooms, not both (subscribe_fleet), so none receives it twice.
      for (const room of [entry.room, FLEET_ADMIN_ROOM]) {
        if (roomMayHaveMembers(this.namespace, room, !!this.config.redisUrl)) this.namespace?.to(room).emit('fleet_summary', summary);
      }
      this.stats.flushed++;
    }
  }

  private summarise(serverId: string, status: ServerStatus, lastSeen: number | null, openAlerts: number): FleetSummary {
    return {
      serverId,
      status,
      lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString(),
      openAlerts,
      ...(this.latest.values(serverId) ?? NO_VALUES),
    };
  }

  /** The server's entry; a new one looks its owner up once (cached until the server is deleted). */
  private entry(serverId: string): FleetEntry {
    let entry = this.entries.get(serverId);
    if (!entry) {
      entry = { room: undefined, status: 'unknown', statusKnown: false, lastSeen: null, openAlerts: 0 };
      this.entries.set(serverId, entry);
      void this.loadOwner(serverId, entry);
    }
    return entry;
  }

  private async loadOwner(serverId: string, entry: FleetEntry): Promise<void> {
    try {
      const row = await this.servers.findById(serverId);
      if (this.entries.get(serverId) !== entry) return; // deleted meanwhile
      if (!row) {
        this.entries.delete(serverId);
        this.dirty.delete(serverId);
        return;
      }
      // An owner change that arrived while the row was read is newer than the row.
      entry.room ??= fleetScopeRoom(row);
      if (!entry.statusKnown) entry.status = row.status;
      const dbSeen = row.lastSeen?.getTime() ?? null;
      if (dbSeen !== null && (entry.lastSeen === null || dbSeen > entry.lastSeen)) entry.lastSeen = dbSeen;
    } catch (err) {
      // Forget the entry: the server's next event starts a fresh lookup.
      if (this.entries.get(serverId) === entry) this.entries.delete(serverId);
      this.logger.warn({ err: (err as Error).message, serverId }, 'Could not look up a server owner for the fleet stream');
    }
  }
}
