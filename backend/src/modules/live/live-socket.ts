import type { Namespace, Socket } from 'socket.io';
import type { LiveClientToServerEvents, LiveServerToClientEvents } from '@chatops/protocol';
import type { AuthUser } from '../../common/decorators';
import type { ChatopsEvents } from '../../events';

/**
 * What the handshake middleware attaches to an authenticated browser socket. Plain JSON values
 * only: with the Redis adapter, `fetchSockets()` on another instance serialises it (the expiry
 * timer lives in the gateway's map).
 */
export interface LiveSocketData {
  user: AuthUser;
  /** The access token's session (refresh-token family): revoking it ends this socket. */
  sessionId: string;
  /** Access-token expiry, epoch milliseconds. */
  expiresAt: number;
}

/**
 * Between backend instances on `/live` (`serverSideEmit` through the adapter); browsers never see
 * these. An access change made through one instance, for the per-instance caches of the others.
 */
export interface LiveServerSideEvents {
  server_owner_changed: (p: Omit<ChatopsEvents['server.owner_changed'], 'relayed'>) => void;
  team_members_changed: (p: Omit<ChatopsEvents['team.members_changed'], 'relayed'>) => void;
}

export type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, LiveServerSideEvents, LiveSocketData>;
export type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, LiveServerSideEvents, LiveSocketData>;

/** Subscribers of one server's stream (metrics, status, alerts, command output, container events). */
export const serverRoom = (serverId: string) => `live:server:${serverId}`;
export const SERVER_ROOM_PREFIX = 'live:server:';
/** Fleet-overview subscribers who own servers: summaries of a server go to its owner's room... */
export const fleetOwnerRoom = (ownerId: string) => `live:fleet:owner:${ownerId}`;
/** ...or, for a team's server, to the team's room (members join it with the fleet)... */
export const fleetTeamRoom = (teamId: string) => `live:fleet:team:${teamId}`;
/** The fleet room of a server: its team's, or its owner's for a personal server. */
export const fleetScopeRoom = (s: { ownerId: string; teamId: string | null }) => (s.teamId ? fleetTeamRoom(s.teamId) : fleetOwnerRoom(s.ownerId));
export const FLEET_TEAM_ROOM_PREFIX = 'live:fleet:team:';
/** ...and to every admin watching the fleet. */
export const FLEET_ADMIN_ROOM = 'live:fleet:admin';

const FLEET_ROOM_PREFIX = 'live:fleet:';

/**
 * The rooms that follow a stream of updates (one server's, or a fleet's summaries): with Redis 7,
 * each has a Redis channel of its own, which only the instances with a member there subscribe to
 * (`streamRoomChannels` in common/socket-adapter.ts). A broadcast published elsewhere within a few
 * milliseconds of a room's first join can miss it, which for these equals subscribing a moment
 * later: the next update (at most 5 s away) or the subscribe's own snapshot covers it.
 */
export const hasOwnChannel = (room: unknown): room is string => typeof room === 'string' && (room.startsWith(SERVER_ROOM_PREFIX) || room.startsWith(FLEET_ROOM_PREFIX));

/**
 * Whether a broadcast to the room can reach anybody, so is worth encoding: on a single instance the
 * local room tells; with the Redis adapter (`shared`) members may sit on other instances.
 */
export const roomMayHaveMembers = (namespace: LiveNamespace | null, room: string, shared: boolean): boolean =>
  shared || (namespace?.adapter.rooms.get(room)?.size ?? 0) > 0;

/** Every socket of a user, and of one session: how revoked sessions are found on every instance. */
export const userRoom = (userId: string) => `live:user:${userId}`;
export const sessionRoom = (sessionId: string) => `live:session:${sessionId}`;

/** The browser socket that opened a terminal session (on whichever instance it is). */
export const terminalRoom = (sessionId: string) => `live:terminal:${sessionId}`;
/** Events a terminal room carries. */
export type TerminalScopedEvent = 'terminal_output' | 'terminal_exit';

/**
 * The browser socket following one container log stream (on whichever instance it is). The
 * server's id is part of the name, so an agent's chunks can only ever reach streams of its own server.
 */
export const logStreamRoom = (serverId: string, streamId: string) => `live:logs:${serverId}:${streamId}`;
/** Events a log stream room carries. */
export type LogStreamScopedEvent = 'container_logs' | 'container_logs_end';

/**
 * Every socket of the user who started a streamed chat action (`run`, `logs … follow`), joined on
 * every instance when it starts. The server's id is part of the name, so an agent's output can only
 * ever reach streams of its own server.
 */
export const chatStreamRoom = (serverId: string, streamId: string) => `live:chat:${serverId}:${streamId}`;
/** Events a chat stream room carries. */
export type ChatStreamScopedEvent = 'chat_stream' | 'chat_stream_end';

/** Events a server room carries that other modules push through `LiveService.emitToServer`. */
export type ServerScopedEvent = 'alert' | 'command_output' | 'command_finished' | 'container_event';
