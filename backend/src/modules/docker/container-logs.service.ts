import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  DOCKER_LOGS_DEFAULT_TAIL, DOCKER_LOGS_MAX_TAIL, isContainerRef,
  type ContainerLogsEndReason, type LiveContainerLogsSubscribeAck, type LiveContainerLogsUnsubscribeAck, type LogLine,
} from '@chatops/protocol';
import type { Ack } from '../../common/socket-ack';
import type { AuthUser } from '../../common/decorators';
import { DomainException } from '../../common/domain-exception';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AgentErrorCode } from '../agents/agents.errors';
import { AgentManager } from '../agents/agent-manager.service';
import { LiveEvents } from '../live/live-events';
import type { LiveSocket } from '../live/live-socket';
import { logStreamRoom } from '../live/live-socket';
import { LiveService } from '../live/live.service';
import { AccessChange, AccessService } from '../access/access.service';
import { DockerAgentClient } from './docker-agent.client';
import { DockerErrorCode } from './docker.errors';
import { parseLogTime } from './log-time';

/** Log streams one browser socket may follow at once. */
export const MAX_LOG_STREAMS_PER_SOCKET = 5;
/** Lines held for a stream whose subscription is not acknowledged yet (older ones are dropped). */
const MAX_HELD_LINES = DOCKER_LOGS_MAX_TAIL;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stream followed by a browser socket on this instance. */
interface LogStream {
  id: string;
  serverId: string;
  containerId: string;
  socketId: string;
  /** Who follows it: re-checked when access changes. */
  user: AuthUser;
  /** False until the browser has its `{ok:true, streamId}`: chunks (and the end) are held until then. */
  started: boolean;
  ended: boolean;
  /** How it ended while it was still starting: told right after the acknowledgement. */
  heldEnd: { reason: ContainerLogsEndReason; message?: string } | null;
  /** `docker_logs_stop` went to the agent. */
  stopSent: boolean;
  held: LogLine[];
}

type Failure = Extract<LiveContainerLogsSubscribeAck, { ok: false }>;
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** How a failed start reads to the browser: the contract's words where it has them, the agent's otherwise. */
function failureOf(err: DomainException): Failure {
  switch (err.code) {
    case AgentErrorCode.NotConnected:
    case AgentErrorCode.Lost:
      return { ok: false, error: 'agent_offline', message: 'The server\'s agent is not connected' };
    case AgentErrorCode.Timeout:
      return { ok: false, error: 'unavailable', message: 'The agent did not answer in time' };
    case DockerErrorCode.ContainerNotFound:
      return { ok: false, error: 'not_found', message: err.message };
    case DockerErrorCode.Disabled:
      return { ok: false, error: 'disabled', message: err.message };
    case DockerErrorCode.DockerUnavailable:
      return { ok: false, error: 'docker_unavailable', message: err.message };
    case DockerErrorCode.Timeout:
      return { ok: false, error: 'timeout', message: err.message };
    case DockerErrorCode.TooManyStreams:
      return { ok: false, error: 'too_many_streams', message: err.message };
    case DockerErrorCode.BadRequest:
      return { ok: false, error: 'invalid', message: err.message };
    default:
      return { ok: false, error: 'unavailable', message: err.message };
  }
}

/**
 * Follow-logs over `/live`: a browser subscribes to a container's log, the backend asks the
 * server's agent for a followed `logs` request with a fresh streamId, and relays the agent's
 * `container_logs` chunks to that browser socket only (room `live:logs:<serverId>:<streamId>`).
 * The stream stops when the browser unsubscribes or goes away (the agent gets `docker_logs_stop`),
 * when the agent goes away, and when the agent ends it (`container_logs_end`).
 */
@Injectable()
export class ContainerLogsService implements OnModuleInit {
  private readonly logger = new Logger(ContainerLogsService.name);
  private readonly streams = new Map<string, LogStream>();
  private readonly bySocket = new Map<string, Set<string>>();

  constructor(
    private readonly access: AccessService,
    private readonly client: DockerAgentClient,
    private readonly agents: AgentManager,
    private readonly live: LiveService,
    private readonly liveEvents: LiveEvents,
  ) {}

  onModuleInit(): void {
    this.liveEvents.handle('container_logs_subscribe', (socket, payload, ack) => this.subscribe(socket, payload, ack));
    this.liveEvents.handle('container_logs_unsubscribe', (socket, payload, ack) => this.unsubscribe(socket, payload, ack));
    this.liveEvents.onDisconnect((socket) => this.socketGone(socket));
  }

  /** Streams followed through this instance (operators, tests). */
  get openCount(): number {
    return this.streams.size;
  }

  private async subscribe(socket: LiveSocket, payload: unknown, ack: Ack<LiveContainerLogsSubscribeAck>): Promise<void> {
    const p = obj(payload);
    const serverId = typeof p?.serverId === 'string' && UUID.test(p.serverId) ? p.serverId.toLowerCase() : null;
    const containerId = isContainerRef(p?.containerId) ? p.containerId : null;
    const tail = p?.tail === undefined ? DOCKER_LOGS_DEFAULT_TAIL : Number.isInteger(p.tail) && (p.tail as number) >= 0 && (p.tail as number) <= DOCKER_LOGS_MAX_TAIL ? (p.tail as number) : null;
    const since = p?.since === undefined ? undefined : parseLogTime(p.since);
    const timestamps = p?.timestamps === undefined ? false : typeof p.timestamps === 'boolean' ? p.timestamps : null;
    if (!serverId || !containerId || tail === null || since === null || timestamps === null) {
      return ack?.({ ok: false, error: 'invalid', message: `serverId (uuid) and containerId are required; tail 0–${DOCKER_LOGS_MAX_TAIL}, since ISO-8601 or unix seconds, timestamps boolean` });
    }
    const tooMany = () => (this.bySocket.get(socket.id)?.size ?? 0) >= MAX_LOG_STREAMS_PER_SOCKET;
    const refuseTooMany = () => ack?.({ ok: false, error: 'too_many_streams', message: `At most ${MAX_LOG_STREAMS_PER_SOCKET} followed logs per connection; unsubscribe one first` });
    if (tooMany()) return refuseTooMany();
    // Not yours and does not exist get the same answer; nothing reaches the agent.
    const granted = await this.access.check(socket.data.user, serverId, 'containers.read');
    if (granted === 'not_found' || granted === 'forbidden') return ack?.({ ok: false, error: granted });
    if (!socket.connected) return;
    // Concurrent subscriptions of this socket may have reached the cap meanwhile.
    if (tooMany()) return refuseTooMany();
    const mine = this.bySocket.get(socket.id) ?? new Set<string>();

    const stream: LogStream = {
      id: randomUUID(), serverId, containerId, socketId: socket.id, user: socket.data.user, started: false, ended: false, heldEnd: null, stopSent: false, held: [],
    };
    this.streams.set(stream.id, stream);
    this.bySocket.set(socket.id, mine.add(stream.id));
    // Join first: the agent's first chunk may come right behind its acknowledgement.
    await socket.join(logStreamRoom(serverId, stream.id));
    try {
      await this.client.ask(serverId, {
        requestId: randomUUID(), action: 'logs', containerId,
        options: { follow: true, streamId: stream.id, tail, ...(since !== undefined ? { since } : {}), timestamps },
      });
    } catch (err) {
      this.forget(stream);
      if (err instanceof DomainException) return ack?.(failureOf(err));
      throw err;
    }
    // The browser went away while the agent started it: make sure the agent stops it (again: a
    // stop sent while the request was still on its way found nothing to stop).
    if (!socket.connected) {
      this.stop(stream, true);
      return this.forget(stream);
    }
    ack?.({ ok: true, streamId: stream.id });
    stream.started = true;
    if (stream.held.length) this.send(stream, stream.held.splice(0));
    // Ended before the browser knew of it (a stopped container's log ends right after its tail).
    if (stream.heldEnd) this.finish(stream, stream.heldEnd.reason, stream.heldEnd.message);
  }

  private unsubscribe(socket: LiveSocket, payload: unknown, ack: Ack<LiveContainerLogsUnsubscribeAck>): void {
    const id = obj(payload)?.streamId;
    if (typeof id !== 'string' || !UUID.test(id)) return ack?.({ ok: false, error: 'invalid' });
    const stream = this.streams.get(id.toLowerCase());
    if (!stream || stream.socketId !== socket.id || stream.ended) return ack?.({ ok: false, error: 'not_found' });
    this.stop(stream);
    this.end(stream, 'unsubscribed');
    ack?.({ ok: true });
  }

  /** The browser socket is gone (closed tab, expiry, revocation): its streams stop on the agent. */
  private socketGone(socket: LiveSocket): void {
    for (const id of this.bySocket.get(socket.id) ?? []) {
      const stream = this.streams.get(id);
      if (!stream) continue;
      if (!stream.ended) this.stop(stream);
      stream.ended = true;
      this.forget(stream);
    }
    this.bySocket.delete(socket.id);
  }

  @OnChatopsEvent('agent.container_logs')
  onChunk({ serverId, streamId, containerId, lines }: ChatopsEvents['agent.container_logs']): void {
    const stream = this.streams.get(streamId);
    if (!stream) {
      // Followed through another instance (Redis adapter): the room carries it there. The room's
      // name holds this agent's server, so it can only ever reach that server's streams.
      this.live.emitToLogStream(serverId, streamId, 'container_logs', { serverId, streamId, containerId, lines });
      return;
    }
    if (stream.serverId !== serverId || stream.ended) return;
    if (stream.started) return this.send(stream, lines);
    stream.held.push(...lines);
    if (stream.held.length > MAX_HELD_LINES) stream.held.splice(0, stream.held.length - MAX_HELD_LINES);
  }

  @OnChatopsEvent('agent.container_logs_end')
  onAgentEnd({ serverId, streamId, containerId, reason, message }: ChatopsEvents['agent.container_logs_end']): void {
    const stream = this.streams.get(streamId);
    if (!stream) {
      this.live.emitToLogStream(serverId, streamId, 'container_logs_end', { serverId, streamId, containerId, reason, ...(message ? { message } : {}) });
      this.live.leaveLogStream(serverId, streamId);
      return;
    }
    if (stream.serverId !== serverId) return;
    this.end(stream, reason, message);
  }

  @OnChatopsEvent('agent.disconnected')
  onAgentGone({ serverId }: ChatopsEvents['agent.disconnected']): void {
    for (const stream of [...this.streams.values()]) if (stream.serverId === serverId) this.end(stream, 'agent_disconnected');
  }

  @OnChatopsEvent('server.deleted')
  onServerDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    for (const stream of [...this.streams.values()]) if (stream.serverId === serverId) this.end(stream, 'server_deleted');
  }

  /**
   * Access changed (a server moved; team members or roles changed), here or on another instance
   * (AccessChangeRelay): streams whose follower may no longer read the server's containers stop at
   * the agent and end (`access_revoked`).
   */
  @OnChatopsEvent('server.owner_changed')
  @OnChatopsEvent('team.members_changed')
  async onAccessChanged(change: AccessChange): Promise<void> {
    const following = [...this.streams.values()].filter((s) => !s.ended);
    for (const stream of await this.access.lostAfter(change, following, 'containers.read')) {
      if (stream.ended) continue;
      this.stop(stream);
      this.end(stream, 'access_revoked');
    }
  }

  private send(stream: LogStream, lines: LogLine[]): void {
    this.live.emitToLogStream(stream.serverId, stream.id, 'container_logs', { serverId: stream.serverId, streamId: stream.id, containerId: stream.containerId, lines });
  }

  /** Asks the agent to stop following (once, unless `again`). */
  private stop(stream: LogStream, again = false): void {
    if (stream.stopSent && !again) return;
    stream.stopSent = true;
    this.agents.notify(stream.serverId, 'docker_logs_stop', { streamId: stream.id });
  }

  /**
   * Tells the browser (once) and forgets the stream. A stream still starting keeps the end until
   * its subscription is acknowledged (or failed: then the failure says it all).
   */
  private end(stream: LogStream, reason: ContainerLogsEndReason, message?: string): void {
    if (stream.ended) return;
    stream.ended = true;
    if (stream.started) this.finish(stream, reason, message);
    else stream.heldEnd = { reason, ...(message ? { message } : {}) };
  }

  private finish(stream: LogStream, reason: ContainerLogsEndReason, message?: string): void {
    this.live.emitToLogStream(stream.serverId, stream.id, 'container_logs_end', {
      serverId: stream.serverId, streamId: stream.id, containerId: stream.containerId, reason, ...(message ? { message: message.slice(0, 1024) } : {}),
    });
    this.forget(stream);
    this.logger.debug({ streamId: stream.id, serverId: stream.serverId, reason }, 'Container log stream ended');
  }

  private forget(stream: LogStream): void {
    this.streams.delete(stream.id);
    this.bySocket.get(stream.socketId)?.delete(stream.id);
    this.live.leaveLogStream(stream.serverId, stream.id);
  }
}
