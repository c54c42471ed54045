import { Logger } from '@nestjs/common';
import DataLoader from 'dataloader';
import { ackOf, floodGuard, handlerGuard, takeHandshakeCredential } from '../../common/socket-ack';
import { FRAME_TOO_DEEP_ERROR, FRAME_TOO_DEEP_EVENT } from '../../common/socket-frame-parser';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { LIVE_NAMESPACE, type ReauthAck, type SubscribeAck } from '@chatops/protocol';
import { isAdmin, type AuthUser } from '../../common/decorators';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AuthService } from '../auth/auth.service';
import { AccessService } from '../access/access.service';
import { AccessChangeRelay } from './access-change-relay.service';
import { FleetStream } from './fleet-stream.service';
import { FLEET_ADMIN_ROOM, fleetOwnerRoom, fleetTeamRoom, FLEET_TEAM_ROOM_PREFIX, LiveNamespace, LiveSocket, SERVER_ROOM_PREFIX, serverRoom, sessionRoom, userRoom } from './live-socket';
import { LiveEvents } from './live-events';
import { LiveService } from './live.service';

/** Server subscriptions one socket may hold at a time. */
export const MAX_SUBSCRIPTIONS = 500;
/** More events than this in one second from one browser is a flood: the socket is disconnected. */
const MAX_EVENTS_PER_SECOND = 1000;
const MAX_TOKEN_LENGTH = 8192;
/** setTimeout's ceiling; longer sessions are re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_EVENTS = new Set(['subscribe', 'unsubscribe', 'subscribe_fleet', 'unsubscribe_fleet', 'reauth']);


/** The `serverId` of a `{serverId}` payload when it is a UUID; anything else is invalid. */
const serverIdOf = (payload: unknown): string | null => {
  const id = payload && typeof payload === 'object' ? (payload as { serverId?: unknown }).serverId : undefined;
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null;
};
/** `session_expired`, then the disconnect once that frame has gone out (local or remote socket). */
const endSession = (
  socket: { emit(event: 'session_expired', payload: { reason: 'expired' | 'revoked' }): unknown; disconnect(close: boolean): unknown },
  reason: 'expired' | 'revoked',
): void => {
  socket.emit('session_expired', { reason });
  setImmediate(() => socket.disconnect(true));
};
const tokenOf = (payload: unknown): string | null => {
  const token = payload && typeof payload === 'object' ? (payload as { token?: unknown }).token : undefined;
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH ? token : null;
};

/**
 * The browsers' Socket.IO namespace. The access token is checked in the handshake middleware, so
 * an unauthenticated socket never reaches a handler; the session ends when the token expires
 * (`session_expired`, then disconnect) unless the client sends `reauth` with a fresh token.
 * Payloads are checked by hand (they are tiny); a bad one is answered `{ok:false}` and the
 * connection stays up.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(LiveGateway.name);
  private namespace: LiveNamespace | null = null;
  /**
   * Session-expiry timers by socket id. Not in `socket.data`: with the Redis adapter another
   * instance's `fetchSockets()` serialises `data` as JSON, and a timer there made it throw.
   */
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /**
   * The access checks of subscriptions, batched: subscribes that arrive together (a dashboard
   * re-sending all of them after a reconnect, a fleet page opening) are checked with one query
   * per socket rather than one each, which a burst of hundreds turned into timeouts (`unavailable`).
   */
  private readonly subscribeChecks = new DataLoader<{ user: AuthUser; serverId: string }, boolean>(
    (checks) => this.checkBatch(checks),
    { cache: false, maxBatchSize: MAX_SUBSCRIPTIONS },
  );

  constructor(
    private readonly auth: AuthService,
    private readonly access: AccessService,
    private readonly live: LiveService,
    private readonly fleet: FleetStream,
    private readonly featureEvents: LiveEvents,
    private readonly relay: AccessChangeRelay,
  ) {}

  afterInit(namespace: LiveNamespace): void {
    this.namespace = namespace;
    this.live.bind(namespace);
    this.fleet.bind(namespace);
    this.relay.bind(namespace);
    namespace.use(async (socket, next) => {
      try {
        const token = tokenOf({ token: takeHandshakeCredential(socket, 'token') });
        const session = token && (await this.auth.verifyAccessToken(token));
        if (!session || !Number.isFinite(session.exp)) return next(new Error('unauthorized'));
        // A temporary password (set by an admin) is changed first, as on every REST route.
        if (session.mustChangePassword) return next(new Error('password_change_required'));
        const { exp, sid, mustChangePassword: _, ...user } = session;
        Object.assign(socket.data, { user, sessionId: sid, expiresAt: exp * 1000 });
        next();
      } catch (err) {
        this.logger.error({ err }, 'Live handshake failed');
        next(new Error('unavailable'));
      }
    });
  }

  handleConnection(socket: LiveSocket): void {
    if (!socket.data.user) return void socket.disconnect(true);
    this.attachHandlers(socket);
    this.armExpiry(socket);
    void socket.join([userRoom(socket.data.user.id), sessionRoom(socket.data.sessionId)]);
    this.featureEvents.connected(socket);
  }

  /**
   * Logout, refresh-token reuse and password change end sessions at once: their sockets (on any
   * instance, through the adapter) get `session_expired` and are closed, as at token expiry.
   */
  @OnChatopsEvent('auth.sessions_revoked')
  async endSessions({ userId, sessionId, exceptSessionId }: ChatopsEvents['auth.sessions_revoked']): Promise<void> {
    if (!this.namespace) return;
    try {
      const sockets = await this.namespace.in(sessionId ? sessionRoom(sessionId) : userRoom(userId)).fetchSockets();
      for (const socket of sockets) {
        if (!exceptSessionId || socket.data.sessionId !== exceptSessionId) endSession(socket, 'revoked');
      }
    } catch (err) {
      // Another instance did not answer: its sockets still end at token expiry.
      this.logger.warn({ err: (err as Error).message, userId }, 'Could not end the live sockets of revoked sessions');
    }
  }

  /**
   * Graceful drain: this instance's browser sockets (only these: `local`) are closed; the dashboard
   * reconnects, through the load balancer, to another instance and subscribes again.
   */
  drain(): void {
    this.namespace?.local.disconnectSockets(true);
  }

  handleDisconnect(socket: LiveSocket): void {
    this.featureEvents.disconnected(socket);
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
  }

  private armExpiry(socket: LiveSocket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    const delay = Math.min(Math.max(0, socket.data.expiresAt - Date.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.expiryTimers.delete(socket.id);
      if (!socket.connected) return;
      if (Date.now() < socket.data.expiresAt) return this.armExpiry(socket);
      endSession(socket, 'expired');
    }, delay);
    timer.unref();
    // A socket that went away while its handshake finished never gets a disconnect to clear it.
    if (socket.connected) this.expiryTimers.set(socket.id, timer);
  }

  private attachHandlers(socket: LiveSocket): void {
    const allowed = floodGuard(MAX_EVENTS_PER_SECOND, () => {
      this.logger.warn({ socketId: socket.id, userId: socket.data.user.id }, 'Browser flooding /live; disconnecting');
      socket.disconnect(true);
    });
    socket.use((_packet, next) => {
      if (allowed()) next();
    });

    // Handlers take raw arguments: a client may send anything, or no ack at all.
    const raw = socket as unknown as Socket;
    const guard = handlerGuard(this.logger, () => ({ socketId: socket.id, userId: socket.data.user?.id }));

    raw.on('subscribe', guard('subscribe', async (...args: unknown[]) => {
      const ack = ackOf<SubscribeAck>(args);
      const serverId = serverIdOf(args[0]);
      if (!serverId) return ack?.({ ok: false, error: 'invalid' });
      const room = serverRoom(serverId);
      if (socket.rooms.has(room)) return ack?.({ ok: true });
      if (this.subscriptionCount(socket) >= MAX_SUBSCRIPTIONS) return ack?.({ ok: false, error: 'too_many_subscriptions' });
      let accessible: boolean;
      try {
        accessible = await this.subscribeChecks.load({ user: socket.data.user, serverId });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'Subscription check failed');
        return ack?.({ ok: false, error: 'unavailable' });
      }
      // Not yours and does not exist get the same answer.
      if (!accessible) return ack?.({ ok: false, error: 'not_found' });
      // The socket may have gone, or reached the cap through concurrent subscribes, meanwhile.
      if (!socket.connected) return;
      if (!socket.rooms.has(room) && this.subscriptionCount(socket) >= MAX_SUBSCRIPTIONS) {
        return ack?.({ ok: false, error: 'too_many_subscriptions' });
      }
      await socket.join(room);
      ack?.({ ok: true });
    }));

    raw.on('unsubscribe', guard('unsubscribe', async (...args: unknown[]) => {
      const ack = ackOf<SubscribeAck>(args);
      const serverId = serverIdOf(args[0]);
      if (!serverId) return ack?.({ ok: false, error: 'invalid' });
      await socket.leave(serverRoom(serverId));
      ack?.({ ok: true });
    }));

    raw.on('subscribe_fleet', guard('subscribe_fleet', async (...args: unknown[]) => {
      const ack = ackOf<SubscribeAck>(args);
      const room = this.fleetRoom(socket);
      // Join before reading the snapshot: an update racing it arrives twice, never not at all.
      await socket.join(room);
      try {
        await this.joinTeamFleets(socket);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'Fleet team rooms lookup failed');
        await socket.leave(room);
        return ack?.({ ok: false, error: 'unavailable' });
      }
      try {
        const summaries = await this.fleet.snapshot(socket.data.user);
        if (!socket.connected) return;
        for (const summary of summaries) socket.emit('fleet_summary', summary);
        ack?.({ ok: true });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'Fleet snapshot failed');
        await socket.leave(room);
        ack?.({ ok: false, error: 'unavailable' });
      }
    }));

    raw.on('unsubscribe_fleet', guard('unsubscribe_fleet', async (...args: unknown[]) => {
      const ack = ackOf<SubscribeAck>(args);
      const rooms = [FLEET_ADMIN_ROOM, fleetOwnerRoom(socket.data.user.id), ...[...socket.rooms].filter((r) => r.startsWith(FLEET_TEAM_ROOM_PREFIX))];
      await Promise.all(rooms.map((r) => socket.leave(r)));
      ack?.({ ok: true });
    }));

    // Extends the session with a fresh access token of the same user (and role), no reconnect.
    raw.on('reauth', guard('reauth', async (...args: unknown[]) => {
      const ack = ackOf<ReauthAck>(args);
      const token = tokenOf(args[0]);
      let session: Awaited<ReturnType<AuthService['verifyAccessToken']>> = null;
      try {
        session = token ? await this.auth.verifyAccessToken(token) : null;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'Live reauth failed');
        return ack?.({ ok: false, error: 'unavailable' });
      }
      const { user } = socket.data;
      if (!session || !Number.isFinite(session.exp) || session.id !== user.id || session.role !== user.role) {
        return ack?.({ ok: false, error: 'unauthorized' });
      }
      if (!socket.connected) return;
      socket.data.expiresAt = Math.max(socket.data.expiresAt, session.exp * 1000);
      socket.data.user = { id: session.id, username: session.username, role: session.role };
      if (session.sid !== socket.data.sessionId) {
        // A token of another session of the same user (e.g. after a password change): follow it.
        void socket.leave(sessionRoom(socket.data.sessionId));
        socket.data.sessionId = session.sid;
        void socket.join(sessionRoom(session.sid));
      }
      this.armExpiry(socket);
      ack?.({ ok: true, expiresAt: new Date(socket.data.expiresAt).toISOString() });
    }));

    // Events of feature modules (terminal, ...), registered with LiveEvents.
    for (const [event, handler] of this.featureEvents.entries()) {
      raw.on(event, async (...args: unknown[]) => {
        const ack = ackOf<unknown>(args);
        try {
          await handler(socket, args[0], ack);
        } catch (err) {
          this.logger.error({ err, event, socketId: socket.id, userId: socket.data.user.id }, 'A /live handler failed');
          ack?.({ ok: false, error: 'unavailable' });
        }
      });
    }

    // Events this version does not know are ignored; an ack, if asked for, says so.
    raw.onAny(guard('(any event)', (event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event) || this.featureEvents.has(event)) return;
      ackOf<SubscribeAck>(args)?.({ ok: false, error: event === FRAME_TOO_DEEP_EVENT ? FRAME_TOO_DEEP_ERROR : 'unknown event' });
    }));
  }

  /**
   * Team membership changed, or a team went: the sockets of those users (of the team's fleet room
   * when it was deleted) re-check their subscriptions, so nobody keeps a stream they lost.
   */
  @OnChatopsEvent('team.members_changed')
  async onMembersChanged({ teamId, userIds, relayed }: ChatopsEvents['team.members_changed']): Promise<void> {
    if (relayed) return; // fetchSockets below already reaches every instance's sockets
    await this.recheck(userIds.length ? userIds.map(userRoom) : [fleetTeamRoom(teamId)]);
  }

  /**
   * A server moved between a user and a team: its subscribers re-check, on every instance (the
   * adapter's fetchSockets), by the instance that made the change only (not again where it is relayed).
   */
  @OnChatopsEvent('server.owner_changed')
  async onOwnerChanged({ serverId, relayed }: ChatopsEvents['server.owner_changed']): Promise<void> {
    if (relayed) return;
    await this.recheck([serverRoom(serverId)]);
  }

  private async recheck(rooms: string[]): Promise<void> {
    if (!this.namespace) return;
    try {
      const sockets = await this.namespace.in(rooms).fetchSockets();
      for (const socket of sockets) {
        const user = socket.data.user;
        const subscribed = [...socket.rooms].filter((room) => room.startsWith(SERVER_ROOM_PREFIX)).map((room) => room.slice(SERVER_ROOM_PREFIX.length));
        const visible = await this.access.visibleAmong(user, subscribed);
        for (const serverId of subscribed) if (!visible.has(serverId)) socket.leave(serverRoom(serverId));
        if (!socket.rooms.has(fleetOwnerRoom(user.id)) || isAdmin(user)) continue;
        const teams = new Set((await this.access.teamIdsOf(user.id)).map(fleetTeamRoom));
        for (const room of socket.rooms) if (room.startsWith(FLEET_TEAM_ROOM_PREFIX) && !teams.has(room)) socket.leave(room);
        for (const room of teams) if (!socket.rooms.has(room)) socket.join(room);
      }
    } catch (err) {
      // Another instance did not answer: its sockets keep their rooms until they resubscribe.
      this.logger.warn({ err: (err as Error).message }, 'Could not re-check live subscriptions after an access change');
    }
  }

  /** One query per user object (one per socket) for a batch of `subscribeChecks`; a failed one fails only its own checks. */
  private async checkBatch(checks: readonly { user: AuthUser; serverId: string }[]): Promise<(boolean | Error)[]> {
    const byUser = new Map<AuthUser, string[]>();
    for (const { user, serverId } of checks) {
      const ids = byUser.get(user);
      if (ids) ids.push(serverId);
      else byUser.set(user, [serverId]);
    }
    const answers = new Map<AuthUser, Set<string> | Error>();
    await Promise.all([...byUser].map(async ([user, ids]) => {
      answers.set(user, await this.access.visibleAmong(user, ids).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
    }));
    return checks.map(({ user, serverId }) => {
      const visible = answers.get(user)!;
      return visible instanceof Error ? visible : visible.has(serverId);
    });
  }

  /** A fleet watcher (not the admin, whose room has every server) also watches their teams' servers. */
  private async joinTeamFleets(socket: LiveSocket): Promise<void> {
    if (isAdmin(socket.data.user)) return;
    const teams = await this.access.teamIdsOf(socket.data.user.id);
    if (teams.length) await socket.join(teams.map(fleetTeamRoom));
  }

  private fleetRoom(socket: LiveSocket): string {
    return isAdmin(socket.data.user) ? FLEET_ADMIN_ROOM : fleetOwnerRoom(socket.data.user.id);
  }

  private subscriptionCount(socket: LiveSocket): number {
    let n = 0;
    for (const room of socket.rooms) if (room.startsWith(SERVER_ROOM_PREFIX)) n++;
    return n;
  }
}
