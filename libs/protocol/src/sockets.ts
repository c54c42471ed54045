/**
 * Typed Socket.IO event maps for both namespaces (docs/api.md). The backend's gateways, the agent
 * and the dashboard type their sockets with these, so every hop is checked by the compiler.
 */
import type { HelloFrame, MetricsAck, MetricsBatchAck, MetricsBatchFrame, MetricsSample } from './agent-frames';
import type { AgentStreamPayloads } from './agent-streams';
import type { AlertEvent } from './alerts';
import type { LiveChatStreamChunk, LiveChatStreamEnd, LiveChatStreamStop, LiveChatStreamStopAck } from './chatops';
import type { CommandOutputChunk, CommandRecord, CommandRequest, CommandResult } from './commands';
import type {
  ContainerEvent, DockerLogsStop, DockerRequest, DockerResult, LiveContainerLogs, LiveContainerLogsEnd, LiveContainerLogsSubscribe,
  LiveContainerLogsSubscribeAck, LiveContainerLogsUnsubscribe, LiveContainerLogsUnsubscribeAck,
} from './docker';
import type { ServerStatus } from './enums';
import type {
  LiveTerminalExit, LiveTerminalOpen, LiveTerminalOpenAck, TerminalClose, TerminalData, TerminalOpen, TerminalOpenAck,
  TerminalResize,
} from './terminal';

export const AGENT_NAMESPACE = '/agents';
export const LIVE_NAMESPACE = '/live';

export interface AuthSuccess { serverId: string; serverName: string }

// ---- /agents ---------------------------------------------------------------------------
/**
 * An agent's refusal: `disabled` (the capability is switched off), `not_allowed` (its own
 * allow-list refused the command), `queue_full` (too many waiting), `invalid` (a malformed
 * request), `too_many_sessions` (terminal cap), `spawn_failed` (the shell could not start),
 * `internal` (the agent failed handling the request; it logged why). `message` says why, for people.
 */
export type CapabilityError = {
  ok: false;
  error: 'disabled' | 'not_allowed' | 'queue_full' | 'invalid' | 'too_many_sessions' | 'spawn_failed' | 'internal' | string;
  message?: string;
};

/**
 * Requests the backend makes of an agent, each answered by an acknowledgement:
 * event → the request payload and the ack's payload. `AgentManager.request<E>()` is typed from it.
 */
export interface AgentRequests {
  command: { request: CommandRequest; response: CommandResult | CapabilityError };
  /** Typed per action: `DockerRequestOf<A>` is answered by `DockerResultOf<A>` (docker-agent.ts). */
  docker: { request: DockerRequest; response: DockerResult };
  terminal_open: { request: TerminalOpen; response: TerminalOpenAck };
}
export type AgentRequestEvent = keyof AgentRequests;

/** One-way messages from the backend to an agent (no acknowledgement). */
export interface AgentNotifications {
  auth_success: AuthSuccess;
  /** Sent right before the server disconnects an agent, with the reason (replaced, key revoked, ...). */
  disconnect_reason: { reason: string };
  terminal_input: TerminalData;
  terminal_resize: TerminalResize;
  terminal_close: TerminalClose;
  /** Stop a followed container log stream (the browser unsubscribed or went away). */
  docker_logs_stop: DockerLogsStop;
}
export type AgentNotificationEvent = keyof AgentNotifications;

/** Events the backend emits to an agent. */
export type AgentServerToClientEvents = {
  [E in AgentRequestEvent]: (req: AgentRequests[E]['request'], ack: (res: AgentRequests[E]['response']) => void) => void;
} & {
  [E in AgentNotificationEvent]: (payload: AgentNotifications[E]) => void;
};

/** Events an agent emits to the backend: the acknowledged metrics frames and the stream events. */
export type AgentClientToServerEvents = {
  hello: (frame: HelloFrame) => void;
  metrics: (sample: MetricsSample, ack: (res: MetricsAck) => void) => void;
  metricsBatch: (batch: MetricsBatchFrame, ack: (res: MetricsBatchAck) => void) => void;
} & {
  [E in keyof AgentStreamPayloads]: (payload: AgentStreamPayloads[E]) => void;
};

// ---- /live -----------------------------------------------------------------------------
export type SubscribeAck =
  | { ok: true }
  | { ok: false; error: 'not_found' | 'invalid' | 'too_many_subscriptions' | 'unavailable' | 'unknown event' | string };
export type ReauthAck = { ok: true; expiresAt: string } | { ok: false; error: 'unauthorized' | 'unavailable' };
/** Ack of the one-way terminal frames from the browser, when it asks for one. */
export type LiveTerminalAck = { ok: true } | { ok: false; error: 'not_found' | 'invalid' | string };

export interface ServerStatusEvent { serverId: string; status: ServerStatus; lastSeen: string | null }

/** Compact per-server summary for the fleet overview (at most one per server per interval). */
export interface FleetSummary {
  serverId: string;
  status: ServerStatus;
  lastSeen: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  /** 1-minute load average of the newest sample (optional in the type for producers that predate it). */
  load1?: number | null;
  openAlerts: number;
  timestamp: string | null;
  /**
   * From the newest sample's `containers`: how many run, how many there are, how many report
   * `(unhealthy)` in their status. null when the server reports no containers (no Docker on the
   * agent). Always sent by the backend; optional in the type for producers that predate them.
   */
  containersRunning?: number | null;
  containersTotal?: number | null;
  containersUnhealthy?: number | null;
}

export interface LiveServerToClientEvents {
  metrics: (payload: { serverId: string; sample: MetricsSample }) => void;
  server_status: (payload: ServerStatusEvent) => void;
  /** An alert of the server fired, was acknowledged or resolved (docs/alerts.md). */
  alert: (payload: AlertEvent) => void;
  command_output: (payload: CommandOutputChunk & { serverId: string }) => void;
  /** A command on the server ended (any status): the final record, as `GET /commands/item/{id}` returns it. */
  command_finished: (payload: { serverId: string; command: CommandRecord }) => void;
  container_event: (payload: { serverId: string; event: ContainerEvent }) => void;
  /** Lines of a container log this socket follows (`container_logs_subscribe`). */
  container_logs: (payload: LiveContainerLogs) => void;
  /** A followed container log ended (no more `container_logs` for that `streamId`). */
  container_logs_end: (payload: LiveContainerLogsEnd) => void;
  fleet_summary: (payload: FleetSummary) => void;
  /** Output of a chat action this user started with `stream: true` (every socket of the user that had joined it). */
  chat_stream: (payload: LiveChatStreamChunk) => void;
  /** The streamed chat action ended, with its final reply. */
  chat_stream_end: (payload: LiveChatStreamEnd) => void;
  /** Output of a terminal session this socket opened. */
  terminal_output: (payload: TerminalData) => void;
  /** The session ended (the shell exited, either side closed it, the agent went away...). */
  terminal_exit: (payload: LiveTerminalExit) => void;
  /**
   * Then the server disconnects. `expired`: the access token ran out (refresh, then reconnect).
   * `revoked`: the session was ended (logout, password change, refresh-token reuse); a client that
   * just changed the password gets its new tokens in that response, so it should not refresh with
   * the old refresh token but reconnect with the new access token.
   */
  session_expired: (payload: { reason: 'expired' | 'revoked' }) => void;
}

export interface LiveClientToServerEvents {
  subscribe: (req: { serverId: string }, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: { serverId: string }, ack?: (res: SubscribeAck) => void) => void;
  subscribe_fleet: (ack: (res: SubscribeAck) => void) => void;
  unsubscribe_fleet: (ack?: (res: SubscribeAck) => void) => void;
  /** Extends the session with a fresh access token of the same user; subscriptions are kept. */
  reauth: (req: { token: string }, ack?: (res: ReauthAck) => void) => void;
  /** Opens a terminal on a server's agent; output arrives as `terminal_output` on this socket. */
  terminal_open: (req: LiveTerminalOpen, ack: (res: LiveTerminalOpenAck) => void) => void;
  terminal_input: (req: TerminalData, ack?: (res: LiveTerminalAck) => void) => void;
  terminal_resize: (req: TerminalResize, ack?: (res: LiveTerminalAck) => void) => void;
  terminal_close: (req: TerminalClose, ack?: (res: LiveTerminalAck) => void) => void;
  /** Follows a container's log: `container_logs` chunks on this socket until `container_logs_end`. */
  container_logs_subscribe: (req: LiveContainerLogsSubscribe, ack: (res: LiveContainerLogsSubscribeAck) => void) => void;
  container_logs_unsubscribe: (req: LiveContainerLogsUnsubscribe, ack?: (res: LiveContainerLogsUnsubscribeAck) => void) => void;
  /** Stops a followed log started from chat (yours only; others' are `not_found`). */
  chat_stream_stop: (req: LiveChatStreamStop, ack?: (res: LiveChatStreamStopAck) => void) => void;
}
