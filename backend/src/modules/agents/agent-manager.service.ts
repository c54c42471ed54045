import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Namespace, Socket } from 'socket.io';
import { DataSource, Repository } from 'typeorm';
import type {
  AgentClientToServerEvents, AgentNotificationEvent, AgentNotifications, AgentRequestEvent, AgentRequests,
  AgentServerToClientEvents, HelloFrame,
} from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { ChatopsEvents, EventBus, OnChatopsEvent } from '../../events';
import { AgentErrorCode, AgentException } from './agents.errors';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ServersService } from '../servers/servers.service';
import { ConnectionEventEntity, ConnectionEventKind } from './connection-event.entity';
import { HandshakeFailures } from './handshake-failures.service';
import { InstancePresence, PRESENCE_LOCK_CLASS } from './instance-presence.service';
import { runExclusive } from '../../database/cluster-lock';
import { DrainState } from '../../common/drain-state';

/**
 * What the gateway attaches to an authenticated agent socket. Plain JSON values only: with the
 * Redis adapter, `fetchSockets()` on another instance serialises it (a timer or a socket in here
 * would make that throw); promises and timers live beside it (`AgentSocketProgress`).
 */
export interface AgentSocketData {
  serverId: string;
  serverName: string;
  keyId: string;
  connectedAt: number;
  lastFrameAt: number;
  intervalSec: number;
  bootId: string | null;
  /** The server's agent generation this connection took at registration (0 until then): the newest one wins. */
  generation: number;
}
/** Per-socket promises, kept beside `socket.data` (see above). */
export interface AgentSocketProgress {
  /** Resolves once `hello` has been recorded: later frames wait for it. */
  ready: Promise<void>;
  /** Resolves once `register` finished: the disconnect handler waits for it (see `unregister`). */
  registered: Promise<void>;
}
/** Between backend instances (`serverSideEmit` through the adapter); agents never see these. */
export interface AgentInstanceEvents {
  /** A connection of the server registered with this generation: older ones elsewhere give way. */
  agent_registered: (p: { serverId: string; generation: number }) => void;
  /** The server's agent is gone (`agent.disconnected` on the instance that saw it): the others say so locally too. */
  agent_gone: (p: { serverId: string; reason: string }) => void;
}
export type AgentSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents, AgentInstanceEvents, AgentSocketData>;
export type AgentNamespace = Namespace<AgentClientToServerEvents, AgentServerToClientEvents, AgentInstanceEvents, AgentSocketData>;

/**
 * The one untyped step: socket.io's overloads cannot follow a generic event name, so requests go
 * through this narrow view. `request<E>()` and `notify<E>()` keep every caller typed from the maps.
 */
interface RawAckEmitter {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown[]> };
  emit(event: string, payload: unknown, ack?: (res: unknown) => void): unknown;
}

/** Longer than the lastSeen flush period, so agents held by other instances are never affected. */
const SILENT_OFFLINE_SEC = 60;
const SILENT_CHECK_MS = 30_000;
/** How often servers of dead instances are looked for: well within the stale window (3 × 5 s by default). */
const DEAD_INSTANCE_SWEEP_MS = 5000;

export const agentRoom = (serverId: string) => `server:${serverId}`;
/** Every agent socket authenticated with one key (on whichever instance): how a revocation finds them. */
export const agentKeyRoom = (keyId: string) => `key:${keyId}`;
const DEFAULT_INTERVAL_SEC = 5;
const LAST_SEEN_FLUSH_MS = 10_000;
const LAST_SEEN_CHUNK = 500;

/**
 * Knows which agent socket serves which server. Requests to agents go through `request()`, which
 * emits to the server's room with an acknowledgement: with the Socket.IO Redis adapter the room
 * may live on another backend instance and callers do not change.
 */
@Injectable()
export class AgentManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AgentManager.name);
  private readonly sockets = new Map<string, AgentSocket>();
  private namespace: AgentNamespace | null = null;
  private readonly lastSeenDirty = new Set<string>();
  private readonly progress = new WeakMap<AgentSocket, AgentSocketProgress>();
  /** Requests waiting for an answer from a local socket (see `waitingOn`). */
  private readonly waiting = new WeakMap<AgentSocket, Set<() => void>>();
  private readonly unregistering = new Set<Promise<void>>();
  /** Requests waiting for an agent held by another instance, by server: its departure ends them (see `requestRemote`). */
  private readonly remoteWaits = new Map<string, Set<() => void>>();
  private keyExpiryTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly servers: ServersService,
    private readonly keys: ApiKeysService,
    private readonly events: EventBus,
    @InjectRepository(ConnectionEventEntity) private readonly connEvents: Repository<ConnectionEventEntity>,
    private readonly handshakeFailures: HandshakeFailures,
    private readonly presence: InstancePresence,
    @InjectDataSource() private readonly db: DataSource,
    private readonly drainState: DrainState,
  ) {
    presence.onRegained(() => void this.reassertOnline());
  }

  /** The socket's progress promises (created on first use). */
  progressOf(socket: AgentSocket): AgentSocketProgress {
    let progress = this.progress.get(socket);
    if (!progress) this.progress.set(socket, (progress = { ready: Promise.resolve(), registered: Promise.resolve() }));
    return progress;
  }

  bind(namespace: AgentNamespace): void {
    this.namespace = namespace;
    if (this.config.redisUrl) {
      namespace.on('agent_registered', (p) => void this.onRegisteredElsewhere(p));
      // Terminal sessions and log follows whose browser is here end with the agent, wherever it was.
      namespace.on('agent_gone', ({ serverId, reason }) => this.events.emit('agent.disconnected', { serverId, at: new Date(), reason }));
    }
  }

  isConnected(serverId: string): boolean {
    return this.sockets.has(serverId);
  }

  connectedCount(): number {
    return this.sockets.size;
  }

  /**
   * Registers a freshly authenticated socket; an older connection for the same server is replaced,
   * here at once and on other instances through `agent_registered` (the highest generation wins,
   * see `claimAgent`, so two connections racing on two instances settle on one).
   */
  async register(socket: AgentSocket): Promise<void> {
    const { serverId } = socket.data;
    const previous = this.sockets.get(serverId);
    this.sockets.set(serverId, socket);
    await socket.join([agentRoom(serverId), agentKeyRoom(socket.data.keyId)]);
    if (previous && previous.id !== socket.id) {
      this.logger.log({ serverId }, 'A newer agent connection replaces the previous one');
      await this.recordEvent('replaced', serverId, previous.data.keyId, previous.handshake.address, 'replaced by a newer connection');
      this.drop(previous, 'replaced by a newer connection');
    }
    // Independent writes, one round trip of latency instead of two: under a reconnect storm (an
    // instance died, or a fleet after a restart) every agent waits for these before auth_success.
    const [, generation] = await Promise.all([
      this.recordEvent('connected', serverId, socket.data.keyId, socket.handshake.address, null),
      this.servers.claimAgent(serverId, new Date(), this.presence.id),
    ]);
    if (generation === null) throw new AgentException(AgentErrorCode.NotConnected, 'The server was deleted');
    socket.data.generation = generation;
    if (this.config.redisUrl) this.namespace?.serverSideEmit('agent_registered', { serverId, generation });
  }

  /** Another instance registered a connection of this server: ours gives way if it is older. */
  private async onRegisteredElsewhere({ serverId, generation }: { serverId: string; generation: number }): Promise<void> {
    const held = this.sockets.get(serverId);
    if (!held) return;
    await this.progress.get(held)?.registered.catch(() => undefined);
    if (this.sockets.get(serverId) !== held || !(held.data.generation < generation)) return;
    // Forgotten first: its disconnect must not mark offline a server the newer connection holds.
    this.sockets.delete(serverId);
    this.logger.log({ serverId }, 'A newer agent connection on another instance replaces this one');
    await this.recordEvent('replaced', serverId, held.data.keyId, held.handshake.address, 'replaced by a newer connection on another instance');
    this.drop(held, 'replaced by a newer connection');
  }

  /**
   * Called from the socket's disconnect handler. Only the live connection flips the status.
   * Tracked until done: at shutdown the sockets close first and their "offline" writes must land
   * before the database pool closes (see onApplicationShutdown).
   */
  unregister(socket: AgentSocket, reason: string): Promise<void> {
    const done = this.unregisterNow(socket, reason);
    this.unregistering.add(done);
    done.then(() => this.unregistering.delete(done), () => this.unregistering.delete(done));
    return done;
  }

  private async unregisterNow(socket: AgentSocket, reason: string): Promise<void> {
    const { serverId, connectedAt } = socket.data;
    if (!serverId) return;
    // An agent that drops while its registration is still being written must not end up "online"
    // with no connection behind it: mark it offline only after `register` wrote "online".
    await this.progress.get(socket)?.registered.catch(() => undefined);
    await this.recordEvent('disconnected', serverId, socket.data.keyId, socket.handshake.address, reason.slice(0, 200), Date.now() - connectedAt);
    if (this.sockets.get(serverId)?.id !== socket.id) return;
    this.sockets.delete(serverId);
    const lastSeen = new Date(socket.data.lastFrameAt);
    // Draining: the agent reconnects to another instance at once; marking it offline meanwhile
    // would flap its status (and its offline alerts). If it does not come back, the other
    // instances mark it offline once this instance's presence is gone. What ran on this
    // connection (terminals, log follows) ended with it all the same: that is still announced.
    // Otherwise: offline only while no newer connection (on any instance) holds the server.
    const released = this.drainState.draining ? undefined : await this.servers.releaseAgent(serverId, socket.data.generation, lastSeen)
      .catch((err) => void this.logger.warn({ err, serverId }, 'Could not mark server offline'));
    if (released !== false) this.announceGone(serverId, reason);
  }

  async recordHello(socket: AgentSocket, hello: HelloFrame): Promise<void> {
    socket.data.intervalSec = hello.intervalSec;
    socket.data.bootId = hello.bootId;
    const agent = {
      version: hello.agentVersion,
      hostname: hello.hostname,
      os: hello.os,
      arch: hello.arch,
      capabilities: hello.capabilities,
      intervalSec: hello.intervalSec,
    };
    await this.servers.setAgentInfo(socket.data.serverId, agent);
    this.events.emit('agent.connected', { serverId: socket.data.serverId, agent, at: new Date() });
  }

  /** Marks a frame from the agent: it is alive. lastSeen is written in batches by `flushLastSeen`. */
  touch(socket: AgentSocket): void {
    socket.data.lastFrameAt = Date.now();
    this.lastSeenDirty.add(socket.data.serverId);
  }

  /** Counted per client IP and written at most once per window (see HandshakeFailures); returns at once. */
  async recordAuthFailure(ip: string, detail: string): Promise<void> {
    this.handshakeFailures.record(ip, detail);
  }

  /**
   * Sends a request to the server's agent and waits for its acknowledgement, typed from the
   * protocol's request map. An agent connected to this instance is asked directly, and its
   * disconnect ends the wait at once (`agent.lost`); otherwise the request goes to the server's
   * room through the adapter, so an agent held by another instance answers too.
   */
  async request<E extends AgentRequestEvent>(
    serverId: string,
    event: E,
    payload: AgentRequests[E]['request'],
    timeoutMs: number,
  ): Promise<AgentRequests[E]['response']> {
    if (!this.namespace) throw notConnected();
    const local = this.sockets.get(serverId);
    const reply = local?.connected
      ? await this.requestLocal(local, event, payload, timeoutMs)
      : await this.requestRemote(serverId, event, payload, timeoutMs);
    return reply as AgentRequests[E]['response'];
  }

  /** A one-way message to the server's agent, wherever it is connected (dropped if none is). */
  notify<E extends AgentNotificationEvent>(serverId: string, event: E, payload: AgentNotifications[E]): void {
    (this.namespace?.to(agentRoom(serverId)) as RawAckEmitter | undefined)?.emit(event, payload);
  }

  /**
   * Asks an agent on this instance. The wait has its own timer, cleared by whichever comes first
   * of the answer, the timeout and the socket's disconnect (socket.io's `timeout()` would keep its
   * timer armed for the whole timeout after a disconnect).
   */
  private requestLocal(socket: AgentSocket, event: AgentRequestEvent, payload: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const waiting = this.waitingOn(socket);
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        waiting.delete(onDisconnect);
        fn();
      };
      const onDisconnect = () => settle(() => reject(new AgentException(AgentErrorCode.Lost, 'The agent disconnected before it answered')));
      const timer = setTimeout(() => settle(() => reject(timedOut(timeoutMs))), timeoutMs);
      waiting.add(onDisconnect);
      (socket as unknown as RawAckEmitter).emit(event, payload, (res: unknown) => settle(() => resolve(res)));
    });
  }

  /** The requests waiting on a local socket: one disconnect listener ends them all (not one listener per request). */
  private waitingOn(socket: AgentSocket): Set<() => void> {
    let waiting = this.waiting.get(socket);
    if (!waiting) {
      const set = new Set<() => void>();
      waiting = set;
      this.waiting.set(socket, set);
      socket.once('disconnect', () => { for (const end of [...set]) end(); });
    }
    return waiting;
  }

  /**
   * Asks the agent through the server's room (another instance holds it). The wait ends at the
   * timeout, or as soon as the agent is known to be gone (`agent.disconnected`, relayed from its
   * instance, or announced by the dead-instance sweep when that instance died): its answer can no
   * longer arrive, and the caller (a command holding one of its user's slots) should not wait for it.
   */
  private async requestRemote(serverId: string, event: AgentRequestEvent, payload: unknown, timeoutMs: number): Promise<unknown> {
    let onGone!: () => void;
    const gone = new Promise<never>((_, reject) => {
      onGone = () => reject(new AgentException(AgentErrorCode.Lost, 'The agent disconnected before it answered'));
    });
    gone.catch(() => undefined); // settled through the race below; never unhandled
    let waits = this.remoteWaits.get(serverId);
    if (!waits) this.remoteWaits.set(serverId, (waits = new Set()));
    waits.add(onGone);
    let replies: unknown[];
    try {
      const asked = (this.namespace!.to(agentRoom(serverId)) as unknown as RawAckEmitter).timeout(timeoutMs).emitWithAck(event, payload)
        .catch(() => Promise.reject(timedOut(timeoutMs)));
      replies = await Promise.race([asked, gone]);
    } finally {
      waits.delete(onGone);
      if (!waits.size && this.remoteWaits.get(serverId) === waits) this.remoteWaits.delete(serverId);
    }
    if (!replies.length) throw notConnected();
    return replies[0];
  }

  /** The server's agent is gone (here, or relayed from its instance): requests waiting for it through the adapter end now. */
  @OnChatopsEvent('agent.disconnected')
  onAgentGone({ serverId }: ChatopsEvents['agent.disconnected']): void {
    for (const end of [...(this.remoteWaits.get(serverId) ?? [])]) end();
  }

  /** The key's agents are told why and closed, on every instance (the rooms span them with Redis). */
  @OnChatopsEvent('api-key.revoked')
  onKeyRevoked({ keyId }: ChatopsEvents['api-key.revoked']): void {
    this.dropEverywhere(agentKeyRoom(keyId), 'api key revoked');
  }

  @OnChatopsEvent('server.deleted')
  onServerDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    // A local connection is forgotten first: its disconnect must not write the deleted server's status.
    this.sockets.delete(serverId);
    this.dropEverywhere(agentRoom(serverId), 'server deleted');
  }

  /**
   * Writes lastSeen for servers that sent frames since the last flush: a few batched UPDATEs, not
   * one per frame. Every 10 s (not 2 s): with 5,000 agents a 2 s period rewrote 2,500 server rows
   * per second, more row versions than the metrics themselves (docs/performance.md). Chunks keep
   * each statement's parameter list small.
   */
  @Interval(LAST_SEEN_FLUSH_MS)
  async flushLastSeen(): Promise<void> {
    if (!this.lastSeenDirty.size) return;
    const ids = [...this.lastSeenDirty];
    this.lastSeenDirty.clear();
    const now = new Date();
    for (let i = 0; i < ids.length; i += LAST_SEEN_CHUNK) {
      await this.servers.touchLastSeen(ids.slice(i, i + LAST_SEEN_CHUNK), now).catch((err) => this.logger.warn({ err }, 'Could not write lastSeen'));
    }
  }

  /**
   * Stale detection: an agent that sent nothing for AGENT_STALE_INTERVALS intervals is dropped
   * (its disconnect marks the server offline); keys that expired while connected are enforced too.
   */
  @Interval(1000)
  async sweep(): Promise<void> {
    const now = Date.now();
    for (const socket of this.sockets.values()) {
      const intervalMs = (socket.data.intervalSec || DEFAULT_INTERVAL_SEC) * 1000;
      const silentFor = now - socket.data.lastFrameAt;
      if (silentFor > intervalMs * this.config.agentStaleIntervals) {
        this.logger.warn({ serverId: socket.data.serverId, silentFor }, 'Agent went silent; marking it offline');
        this.drop(socket, `no frame for ${Math.round(silentFor / 1000)} s`);
      }
    }
  }

  /**
   * Drops agents whose key expired while connected: every AGENT_KEY_RECHECK_SEC, one query for all
   * connected keys (deactivation and deletion are pushed at once by events).
   */
  async checkKeyExpiry(): Promise<void> {
    const sockets = [...this.sockets.values()].filter((s) => s.connected);
    if (!sockets.length) return;
    // One query for every connected agent's key; a database hiccup drops nobody.
    const valid = await this.keys.stillValid(sockets.map((s) => s.data.keyId)).catch(() => null);
    if (!valid) return;
    for (const socket of sockets) if (!valid.has(socket.data.keyId)) this.drop(socket, 'api key expired or revoked');
  }

  /**
   * Graceful drain: every agent held here is told why and closed, so it reconnects (through the
   * load balancer, or to the next of its URLs) to another instance. Resolves once their
   * disconnects are handled.
   */
  async drain(): Promise<void> {
    for (const socket of this.sockets.values()) this.drop(socket, 'backend shutting down; reconnect to another instance');
    await new Promise((r) => setTimeout(r, 50)); // the reason frames go out, the disconnects start
    await Promise.allSettled([...this.unregistering]);
  }

  onApplicationBootstrap(): void {
    void this.sweepDeadInstances();
    void this.reconcileStatuses();
    this.keyExpiryTimer = setInterval(() => void this.checkKeyExpiry(), this.config.agentKeyRecheckSec * 1000);
    this.keyExpiryTimer.unref();
  }

  /**
   * Servers left "online" by a backend instance that died: its presence lock is gone (see
   * InstancePresence), found within DEAD_INSTANCE_SWEEP_MS. One instance at a time looks (an
   * advisory lock), and the statement marks a row once: every server goes offline once, announced once.
   */
  @Interval(DEAD_INSTANCE_SWEEP_MS)
  async sweepDeadInstances(): Promise<void> {
    await runExclusive(this.db, 'dead-instance-sweep', async () => {
      const dead = await this.servers.markDeadInstancesOffline(PRESENCE_LOCK_CLASS);
      if (dead.length) this.logger.warn({ count: dead.length }, 'Marked offline the servers of a backend instance that died');
      for (const serverId of dead) this.announceGone(serverId, 'its backend instance died');
    }).catch((err) => this.logger.warn({ err: (err as Error).message }, 'Could not look for servers of dead instances'));
  }

  /**
   * The fallback for what presence cannot tell (a database that noticed the dead session late,
   * rows from before presence existed): servers nobody has heard from for a minute go offline.
   */
  @Interval(SILENT_CHECK_MS)
  async reconcileStatuses(): Promise<void> {
    await runExclusive(this.db, 'server-status-reconcile', async () => {
      const silent = await this.servers.markSilentOffline(SILENT_OFFLINE_SEC, [...this.sockets.keys()]);
      if (silent.length) this.logger.log({ count: silent.length }, 'Marked silent servers offline');
    }).catch((err) => this.logger.warn({ err: (err as Error).message }, 'Could not reconcile server statuses'));
  }

  /** The presence lock was lost and taken again: servers still connected here are online. */
  private async reassertOnline(): Promise<void> {
    const held = [...this.sockets.values()].filter((s) => s.connected && s.data.generation > 0)
      .map((s) => ({ serverId: s.data.serverId, generation: s.data.generation }));
    await this.servers.reassertOnline(held, this.presence.id).catch((err) => this.logger.warn({ err: (err as Error).message }, 'Could not mark held servers online again'));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.keyExpiryTimer) clearInterval(this.keyExpiryTimer);
    for (const socket of this.sockets.values()) socket.disconnect(true);
    await new Promise((r) => setImmediate(r)); // disconnect handlers start their unregister
    await Promise.allSettled([...this.unregistering]);
    // Only now: while its agents were being marked offline here, nobody else was to do it.
    await this.presence.release();
  }

  /**
   * `disconnect_reason`, then the close, to every agent socket in the room wherever it is
   * connected: two broadcasts through the adapter, published in this order, so the reason arrives first.
   */
  private dropEverywhere(room: string, reason: string): void {
    const namespace = this.namespace;
    if (!namespace) return;
    namespace.to(room).emit('disconnect_reason', { reason });
    setImmediate(() => namespace.in(room).disconnectSockets(true));
  }

  /** `agent.disconnected` here and, through the adapter, on every other instance. */
  private announceGone(serverId: string, reason: string): void {
    this.events.emit('agent.disconnected', { serverId, at: new Date(), reason });
    if (this.config.redisUrl) this.namespace?.serverSideEmit('agent_gone', { serverId, reason });
  }

  private drop(socket: AgentSocket, reason: string): void {
    socket.emit('disconnect_reason', { reason });
    // Let the reason frame go out before closing.
    setImmediate(() => socket.disconnect(true));
  }

  private async recordEvent(event: ConnectionEventKind, serverId: string | null, keyId: string | null, ip: string | null, detail: string | null, durationMs?: number): Promise<void> {
    try {
      await this.connEvents.insert({
        event,
        serverId,
        apiKeyId: keyId,
        ip: ip?.slice(0, 64) ?? null,
        detail,
        durationMs: durationMs === undefined ? null : String(Math.max(0, Math.round(durationMs))),
      });
    } catch (err) {
      // A server deleted mid-connection makes the FK fail: nothing to record then.
      this.logger.debug({ err, event, serverId }, 'Could not record a connection event');
    }
  }
}

const notConnected = () => new AgentException(AgentErrorCode.NotConnected, 'The server\'s agent is not connected');
const timedOut = (ms: number) => new AgentException(AgentErrorCode.Timeout, `The agent did not answer within ${Math.round(ms / 1000)} s`);
