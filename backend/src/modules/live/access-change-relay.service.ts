import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { EventBus, OnChatopsEvent, type ChatopsEvents } from '../../events';
import type { LiveNamespace } from './live-socket';

/**
 * Carries access changes made through this instance to the others (the adapter's
 * `serverSideEmit` on `/live`, as `agent_gone` does for agents), where they are emitted again as
 * the same internal event with `relayed: true`. Per-instance caches keyed on who may see a server
 * — the fleet stream's room of each server, the alert engine's server owners, the terminals and
 * followed logs each instance relays — then follow on
 * every instance, not only on the one that handled the request. Without `REDIS_URL` there is no
 * other instance: nothing is sent.
 */
@Injectable()
export class AccessChangeRelay {
  private namespace: LiveNamespace | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventBus,
  ) {}

  bind(namespace: LiveNamespace): void {
    this.namespace = namespace;
    if (!this.config.redisUrl) return;
    namespace.on('server_owner_changed', (change) => this.events.emit('server.owner_changed', { ...change, relayed: true }));
    namespace.on('team_members_changed', (change) => this.events.emit('team.members_changed', { ...change, relayed: true }));
  }

  @OnChatopsEvent('server.owner_changed')
  onOwnerChanged({ relayed, ...change }: ChatopsEvents['server.owner_changed']): void {
    if (relayed || !this.config.redisUrl) return;
    this.namespace?.serverSideEmit('server_owner_changed', change);
  }

  /** Team membership changes reach the others too: their open terminals and followed logs are re-checked there. */
  @OnChatopsEvent('team.members_changed')
  onMembersChanged({ relayed, ...change }: ChatopsEvents['team.members_changed']): void {
    if (relayed || !this.config.redisUrl) return;
    this.namespace?.serverSideEmit('team_members_changed', change);
  }
}
