import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AgentInfo, MetricsSample, ServerStatus } from '@chatops/protocol';

/** The internal event map: how modules tell each other what happened, without knowing each other. */
export interface ChatopsEvents {
  'server.deleted': { serverId: string };
  'api-key.revoked': { serverId: string; keyId: string; reason: 'deactivated' | 'deleted' };
  'agent.connected': { serverId: string; agent: AgentInfo | null; at: Date };
  'agent.disconnected': { serverId: string; at: Date; reason: string };
  'server.status': { serverId: string; status: ServerStatus; lastSeen: Date | null };
  'metrics.received': { serverId: string; sample: MetricsSample; receivedAt: Date };
  /**
   * Sessions ended before their access tokens expire: one session (logout, refresh-token reuse),
   * or every session of the user but `exceptSessionId` (password change). Open /live sockets of
   * those sessions are told `session_expired` and closed.
   */
  'auth.sessions_revoked': { userId: string; sessionId?: string; exceptSessionId?: string };
}

/** A typed face on EventEmitter2; listeners use `@OnEvent('<name>')`. */
@Injectable()
export class EventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends keyof ChatopsEvents>(event: K, payload: ChatopsEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
