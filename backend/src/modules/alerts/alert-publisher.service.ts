import { Injectable, Logger } from '@nestjs/common';
import type { AlertChange } from '@chatops/protocol';
import type { AuthUser, RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { FleetStream } from '../live/fleet-stream.service';
import { LiveService } from '../live/live.service';
import { AlertRuleCache } from './alert-rule-cache.service';
import { toAlert, type AlertRow } from './alert.entity';
import { AlertStore } from './alert-store.service';

/** Who changed the alert: a user (acknowledge, resolve) or the engine (null). */
export interface AlertActor { user: AuthUser; meta: RequestMeta }

/**
 * Every committed alert change goes the same way: `/live` `alert` to the server's subscribers,
 * the server's open-alert count to the fleet stream, the audit log, and `alert.changed` for the
 * notifications module.
 */
@Injectable()
export class AlertPublisher {
  private readonly logger = new Logger(AlertPublisher.name);

  constructor(
    private readonly live: LiveService,
    private readonly fleet: FleetStream,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly cache: AlertRuleCache,
    private readonly store: AlertStore,
  ) {}

  async publish(row: AlertRow, change: AlertChange, actor: AlertActor | null = null): Promise<void> {
    const alert = toAlert(row);
    const server = this.cache.server(row.server_id) ?? (await this.cache.lookupServer(row.server_id));
    // To the server's subscribers and to fleet-overview subscribers who see the server (once per socket).
    if (server) this.live.emitToServerAndFleet(row.server_id, server, 'alert', { alert, change });
    else this.live.emitToServer(row.server_id, 'alert', { alert, change });
    // Notifications first: the count and the audit row are not what someone being paged waits for.
    const rule = this.cache.rules.get(row.threshold_id);
    const muted = row.silenced || this.cache.activeSilence(row.owner_id, row.server_id, row.metric_type) !== null;
    this.events.emit('alert.changed', {
      alert, change, ownerId: row.owner_id, channelIds: rule?.channelIds ?? [], serverName: server?.name ?? null, muted,
    });
    await this.refreshCounts([row.server_id]);
    const note = (n: string | null) => (n ? `: ${n.slice(0, 200)}` : '');
    const [action, description] = change === 'fired'
      ? ['alert.fire', `Alert fired (${row.severity})${row.silenced ? ' [silenced]' : ''}: ${row.message}`]
      : change === 'acknowledged'
        ? ['alert.acknowledge', `Alert acknowledged: ${row.message}${note(row.acknowledge_note)}`]
        : actor
          ? ['alert.resolve', `Alert resolved: ${row.message}${note(row.resolve_note)}`]
          : ['alert.auto_resolve', `Alert resolved (${row.resolve_reason ?? 'recovered'}): ${row.message}`];
    await this.audit.record({ action, description, userId: actor?.user.id ?? null, serverId: row.server_id, meta: actor?.meta });
  }

  /** Recounts the servers' open alerts (one query; null: every server with open alerts) for the fleet stream. */
  async refreshCounts(serverIds: string[] | null): Promise<void> {
    try {
      for (const [serverId, n] of await this.store.openCounts(serverIds)) this.fleet.setOpenAlerts(serverId, n);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not count open alerts');
    }
  }
}
