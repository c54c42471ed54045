import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import type { LiveServerToClientEvents, MetricsSample } from '@chatops/protocol';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import {
  chatStreamRoom, ChatStreamScopedEvent, userRoom, FLEET_ADMIN_ROOM, fleetScopeRoom, LiveNamespace, logStreamRoom, LogStreamScopedEvent, roomMayHaveMembers, serverRoom,
  ServerScopedEvent, terminalRoom, TerminalScopedEvent,
} from './live-socket';

/**
 * Fans server-scoped events out to the browsers subscribed to that server. Every event is one
 * room broadcast, which Socket.IO encodes once and writes to each subscriber (and, with the
 * Redis adapter, publishes once to the other instances): the cost per event does not grow with
 * the payload times the subscribers.
 */
@Injectable()
export class LiveService {
  private namespace: LiveNamespace | null = null;
  /** Timestamp (ms) of the newest sample forwarded per server: older ones are backlog, not live. */
  private readonly lastForwarded = new Map<string, number>();
  /** Newest sample per server waiting for the next turn of the event loop. */
  private readonly pending = new Map<string, MetricsSample>();
  private flushScheduled = false;
  /** Counters for operators, the benchmark and tests. */
  readonly stats = { forwarded: 0, stale: 0, coalesced: 0 };

  bind(namespace: LiveNamespace): void {
    this.namespace = namespace;
  }

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether encoding a broadcast to the room is worth it (`roomMayHaveMembers`). */
  private mayReach(room: string): boolean {
    return roomMayHaveMembers(this.namespace, room, !!this.config.redisUrl);
  }

  /**
   * The hook for other modules (alerts, commands, docker): sends one event to everybody
   * subscribed to the server. Nothing is sent while the gateway is not up.
   */
  emitToServer<E extends ServerScopedEvent>(serverId: string, event: E, payload: Parameters<LiveServerToClientEvents[E]>[0]): void {
    // The generic event name defeats socket.io's typed overloads; the signature above keeps callers typed.
    (this.namespace?.to(serverRoom(serverId)) as { emit(ev: string, p: unknown): boolean } | undefined)?.emit(event, payload);
  }

  /**
   * As `emitToServer`, and also to the fleet overview's subscribers who see the server (its owner's
   * or its team's room, and the admins'): one emit over the union of the rooms, so a socket in several of them
   * receives it once. Used for `alert`, which a fleet-wide alerts view needs without subscribing to
   * every server.
   */
  emitToServerAndFleet<E extends ServerScopedEvent>(serverId: string, scope: { ownerId: string; teamId: string | null }, event: E, payload: Parameters<LiveServerToClientEvents[E]>[0]): void {
    (this.namespace?.to([serverRoom(serverId), fleetScopeRoom(scope), FLEET_ADMIN_ROOM]) as { emit(ev: string, p: unknown): boolean } | undefined)?.emit(event, payload);
  }

  /** Sends a terminal session's output or end to the browser socket that opened it (any instance). */
  emitToTerminal<E extends TerminalScopedEvent>(sessionId: string, event: E, payload: Parameters<LiveServerToClientEvents[E]>[0]): void {
    (this.namespace?.to(terminalRoom(sessionId)) as { emit(ev: string, p: unknown): boolean } | undefined)?.emit(event, payload);
  }

  /** The session ended: its browser socket leaves the room (on every instance). */
  leaveTerminal(sessionId: string): void {
    const room = terminalRoom(sessionId);
    this.namespace?.in(room).socketsLeave(room);
  }

  /** Sends a followed container log's lines or end to the browser socket that follows it (any instance). */
  emitToLogStream<E extends LogStreamScopedEvent>(serverId: string, streamId: string, event: E, payload: Parameters<LiveServerToClientEvents[E]>[0]): void {
    (this.namespace?.to(logStreamRoom(serverId, streamId)) as { emit(ev: string, p: unknown): boolean } | undefined)?.emit(event, payload);
  }

  /** The log stream ended: its browser socket leaves the room (on every instance). */
  leaveLogStream(serverId: string, streamId: string): void {
    const room = logStreamRoom(serverId, streamId);
    this.namespace?.in(room).socketsLeave(room);
  }

  /**
   * Every socket of the user (on every instance, with the Redis adapter) joins a chat stream's room.
   * Called before the action reaches the agent: the join is published ahead of the request, so the
   * first chunk finds the sockets in the room.
   */
  joinChatStream(userId: string, serverId: string, streamId: string): void {
    this.namespace?.in(userRoom(userId)).socketsJoin(chatStreamRoom(serverId, streamId));
  }

  /** Sends a chat stream's output or end to its user's sockets (any instance). */
  emitToChatStream<E extends ChatStreamScopedEvent>(serverId: string, streamId: string, event: E, payload: Parameters<LiveServerToClientEvents[E]>[0]): void {
    const room = chatStreamRoom(serverId, streamId);
    // Every command's output comes through here: on a single instance an empty room costs nothing.
    if (!this.mayReach(room)) return;
    (this.namespace?.to(room) as { emit(ev: string, p: unknown): boolean } | undefined)?.emit(event, payload);
  }

  leaveChatStream(serverId: string, streamId: string): void {
    const room = chatStreamRoom(serverId, streamId);
    this.namespace?.in(room).socketsLeave(room);
  }

  /**
   * Ingest emits this after the sample's transaction committed, synchronously while it resolves
   * the agents' acks. The broadcast is deferred to `setImmediate`, so the acks go out first, and
   * all samples of one server within an ingest flush (a replayed batch) collapse into the newest.
   */
  @OnChatopsEvent('metrics.received')
  onMetrics({ serverId, sample }: ChatopsEvents['metrics.received']): void {
    const ts = Date.parse(sample.timestamp);
    const queued = this.pending.get(serverId);
    if (queued) {
      this.stats.coalesced++;
      if (ts > Date.parse(queued.timestamp)) this.pending.set(serverId, sample);
      return;
    }
    if (ts <= (this.lastForwarded.get(serverId) ?? Number.NEGATIVE_INFINITY)) {
      this.stats.stale++;
      return;
    }
    this.pending.set(serverId, sample);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushMetrics());
    }
  }

  @OnChatopsEvent('server.status')
  onStatus({ serverId, status, lastSeen }: ChatopsEvents['server.status']): void {
    this.namespace?.to(serverRoom(serverId)).emit('server_status', { serverId, status, lastSeen: lastSeen ? lastSeen.toISOString() : null });
  }

  /** A deleted server's subscribers leave its room (on every instance, with the Redis adapter). */
  @OnChatopsEvent('server.deleted')
  onDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    this.pending.delete(serverId);
    this.lastForwarded.delete(serverId);
    const room = serverRoom(serverId);
    this.namespace?.in(room).socketsLeave(room);
  }

  private flushMetrics(): void {
    this.flushScheduled = false;
    for (const [serverId, sample] of this.pending) {
      this.lastForwarded.set(serverId, Date.parse(sample.timestamp));
      if (this.namespace && !this.mayReach(serverRoom(serverId))) continue;
      this.namespace?.to(serverRoom(serverId)).emit('metrics', { serverId, sample });
      this.stats.forwarded++;
    }
    this.pending.clear();
  }
}
