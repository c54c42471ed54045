/** Typed Socket.IO event maps for both namespaces (CONTRACT.md). */
import type { HelloFrame, MetricsAck, MetricsBatchAck, MetricsBatchFrame, MetricsSample } from './agent-frames';
import type { ServerStatus } from './enums';

export const AGENT_NAMESPACE = '/agents';
export const LIVE_NAMESPACE = '/live';

export interface AuthSuccess { serverId: string; serverName: string }

// ---- /agents ---------------------------------------------------------------------------
export interface CommandRequest { commandId: string; command: string; timeoutSec: number; cwd?: string }
export interface CommandResult {
  commandId: string; exitCode: number | null; stdout: string; stderr: string;
  durationMs: number; timedOut: boolean; truncated: boolean;
}
export type CapabilityError = { ok: false; error: 'disabled' | string };
export interface DockerRequest { requestId: string; action: string; containerId?: string; options?: Record<string, unknown> }
export type DockerResult = { ok: true; data: unknown } | { ok: false; error: string };
export interface CommandOutputChunk { commandId: string; stream: 'stdout' | 'stderr'; data: string }
export interface TerminalOpen { sessionId: string; cols: number; rows: number }
export interface TerminalData { sessionId: string; data: string }
export interface TerminalExit { sessionId: string; exitCode: number | null }

/** Events the backend emits to an agent. */
export interface AgentServerToClientEvents {
  auth_success: (payload: AuthSuccess) => void;
  /** Sent right before the server disconnects an agent, with the reason (replaced, key revoked, ...). */
  disconnect_reason: (payload: { reason: string }) => void;
  command: (req: CommandRequest, ack: (res: CommandResult | CapabilityError) => void) => void;
  docker: (req: DockerRequest, ack: (res: DockerResult) => void) => void;
  terminal_open: (req: TerminalOpen, ack?: (res: { ok: boolean; error?: string }) => void) => void;
  terminal_input: (req: TerminalData) => void;
  terminal_resize: (req: TerminalOpen) => void;
  terminal_close: (req: { sessionId: string }) => void;
}

/** Events an agent emits to the backend. */
export interface AgentClientToServerEvents {
  hello: (frame: HelloFrame) => void;
  metrics: (sample: MetricsSample, ack: (res: MetricsAck) => void) => void;
  metricsBatch: (batch: MetricsBatchFrame, ack: (res: MetricsBatchAck) => void) => void;
  command_output: (chunk: CommandOutputChunk) => void;
  terminal_output: (chunk: TerminalData) => void;
  terminal_exit: (exit: TerminalExit) => void;
}

// ---- /live -----------------------------------------------------------------------------
export type SubscribeAck =
  | { ok: true }
  | { ok: false; error: 'not_found' | 'invalid' | 'too_many_subscriptions' | 'unavailable' | 'unknown event' | string };
export type ReauthAck = { ok: true; expiresAt: string } | { ok: false; error: 'unauthorized' | 'unavailable' };

export interface ServerStatusEvent { serverId: string; status: ServerStatus; lastSeen: string | null }

/** Compact per-server summary for the fleet overview (at most one per server per interval). */
export interface FleetSummary {
  serverId: string;
  status: ServerStatus;
  lastSeen: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  openAlerts: number;
  timestamp: string | null;
}

export interface LiveServerToClientEvents {
  metrics: (payload: { serverId: string; sample: MetricsSample }) => void;
  server_status: (payload: ServerStatusEvent) => void;
  alert: (payload: { alert: unknown }) => void;
  command_output: (payload: CommandOutputChunk & { serverId: string }) => void;
  container_event: (payload: { serverId: string; event: unknown }) => void;
  fleet_summary: (payload: FleetSummary) => void;
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
}
