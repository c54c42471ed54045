/** Follow-logs over `/live` (docs/docker.md "Follow-logs"): what the browser sends and receives. */
import type { LogLine } from './docker';
import type { DockerAgentError } from './docker-agent';

// ---- /live: follow-logs ------------------------------------------------------------------
/** Browser → `/live` `container_logs_subscribe`. */
export interface LiveContainerLogsSubscribe {
  serverId: string;
  containerId: string;
  /** Lines of history first (0–10,000; default 100). */
  tail?: number;
  /** ISO-8601 or unix seconds. */
  since?: string | number;
  timestamps?: boolean;
}
/**
 * `invalid`: a malformed request; `not_found`: no such server, not yours, or no such container;
 * `agent_offline`; `too_many_streams` (this socket's or the agent's cap); `unavailable`: the agent
 * did not answer in time; and the agent's own codes (`disabled`, `docker_unavailable`, ...).
 */
export type LiveContainerLogsError =
  | 'invalid' | 'not_found' | 'agent_offline' | 'too_many_streams' | 'unavailable' | DockerAgentError | (string & {});
export type LiveContainerLogsSubscribeAck = { ok: true; streamId: string } | { ok: false; error: LiveContainerLogsError; message?: string };
export interface LiveContainerLogsUnsubscribe { streamId: string }
export type LiveContainerLogsUnsubscribeAck = { ok: true } | { ok: false; error: 'invalid' | 'not_found' };
/** Server → the subscribing browser socket only. */
export interface LiveContainerLogs { serverId: string; streamId: string; containerId: string; lines: LogLine[] }
/**
 * Why a followed stream ended: `ended` (the container stopped or was removed), `error` (the
 * engine's stream failed; `message`), `unsubscribed`, `agent_disconnected`, `server_deleted`.
 */
/** `access_revoked`: the user may no longer read the server's containers (a team change or a server move). */
export const CONTAINER_LOGS_END_REASONS = ['ended', 'error', 'unsubscribed', 'agent_disconnected', 'server_deleted', 'access_revoked'] as const;
export type ContainerLogsEndReason = (typeof CONTAINER_LOGS_END_REASONS)[number];
export interface LiveContainerLogsEnd { serverId: string; streamId: string; containerId: string; reason: ContainerLogsEndReason; message?: string }
