import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
type OnEventOptions = Parameters<typeof OnEvent>[1];
import type { AgentInfo, AgentStreamEvent, AgentStreamPayloads, Alert, AlertChange, MetricsSample, ServerStatus } from '@chatops/protocol';

/**
 * What an agent streamed on its own (command output, terminal output, container events), as the
 * agents gateway republishes it after validation: `agent.<event>` with the agent's server.
 */
export type AgentStreamEvents = {
  [E in keyof AgentStreamPayloads as `agent.${E}`]: AgentStreamPayloads[E] & { serverId: string };
};

/** The internal event map: how modules tell each other what happened, without knowing each other. */
export interface ChatopsEvents extends AgentStreamEvents {
  'server.deleted': { serverId: string };
  /**
   * A server moved between a user and a team (or between teams): who may see it changed. Emitted
   * on the instance that made the change, and relayed to every other instance (`relayed: true`
   * there: listeners keep their own caches right; work that must happen once — re-checking every
   * instance's sockets, resolving alerts — is the first instance's).
   */
  'server.owner_changed': { serverId: string; ownerId: string; teamId: string | null; previousTeamId: string | null; relayed?: boolean };
  /**
   * Members of a team were added, changed or removed (`userIds`), or the team was deleted: live
   * subscriptions of those users are re-checked.
   */
  'team.members_changed': { teamId: string; userIds: string[]; deleted: boolean; relayed?: boolean };
  'api-key.revoked': { serverId: string; keyId: string; reason: 'deactivated' | 'deleted' };
  'agent.connected': { serverId: string; agent: AgentInfo | null; at: Date };
  'agent.disconnected': { serverId: string; at: Date; reason: string };
  'server.status': { serverId: string; status: ServerStatus; lastSeen: Date | null };
  'metrics.received': { serverId: string; sample: MetricsSample; receivedAt: Date };
  /**
   * An alert fired, was acknowledged or resolved (committed). The notifications module delivers it
   * to the rule's channels unless `muted` (a silence covers it).
   */
  /** A notification channel was deleted: rules stop naming it. */
  'notification.channel_deleted': { channelId: string; ownerId: string };
  'alert.changed': { alert: Alert; change: AlertChange; ownerId: string; channelIds: string[]; serverName: string | null; muted: boolean };
  /**
   * Sessions ended before their access tokens expire: one session (logout, refresh-token reuse,
   * revoked from Profile), or every session of the user but `exceptSessionId` (password change,
   * "sign out other sessions"; none excepted: disabled or password reset by an admin). Open /live
   * sockets of those sessions are told `session_expired` and closed. Also emitted when an admin
   * changes the user's role: the sockets reconnect with a token of the new role.
   */
  'auth.sessions_revoked': { userId: string; sessionId?: string; exceptSessionId?: string };
  /**
   * A person signed in through OpenID Connect (after the account was found or created and its role
   * applied). The hook for claim-to-team mappings: a listener may add or remove team memberships
   * from `groups` (the OIDC_GROUPS_CLAIM values) or any other claim (OidcTeamSyncService does, for
   * OIDC_TEAM_MAPPING). Emitted with `emitAsync` and awaited before the session is issued; a listener
   * must handle its own failures, which would otherwise fail the sign-in.
   */
  'auth.oidc_signed_in': { userId: string; issuer: string; subject: string; groups: string[]; claims: Record<string, unknown> };
}
export type ChatopsEventName = keyof ChatopsEvents;

/** A typed face on EventEmitter2: `emit` takes only known events with their payload. */
@Injectable()
export class EventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends ChatopsEventName>(event: K, payload: ChatopsEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  /**
   * As `emit`, resolving once every listener (async ones included) finished: for changes whose
   * effects must be in place before the request that caused them answers (access changes drop
   * live subscriptions before the REST call returns).
   */
  async emitAsync<K extends ChatopsEventName>(event: K, payload: ChatopsEvents[K]): Promise<void> {
    await this.emitter.emitAsync(event, payload);
  }

  /** Republishes a validated agent stream event as `agent.<event>` (the agents gateway's one door). */
  emitAgentStream<E extends AgentStreamEvent>(event: E, payload: AgentStreamPayloads[E] & { serverId: string }): void {
    this.emitter.emit(`agent.${event}`, payload);
  }
}

/**
 * `@OnEvent` over the event map: the event name must exist and the handler must accept its
 * payload, so a misspelt event or a payload that changed shape fails to compile.
 */
export function OnChatopsEvent<K extends ChatopsEventName>(event: K, options?: OnEventOptions) {
  return <T extends (payload: ChatopsEvents[K]) => unknown>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void => {
    OnEvent(event, options)(target, key, descriptor);
  };
}
