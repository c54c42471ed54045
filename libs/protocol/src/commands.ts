/** Remote commands: the agent request, its streamed output, and the REST shapes (docs/api.md "Commands"). */

/** Largest `timeoutSec` a command may ask for; the default is `COMMAND_DEFAULT_TIMEOUT_SEC`. */
export const COMMAND_MAX_TIMEOUT_SEC = 600;
export const COMMAND_DEFAULT_TIMEOUT_SEC = 30;
/** Longest command line accepted (bytes of UTF-8 are close enough: characters). */
export const COMMAND_MAX_LENGTH = 8192;
/**
 * stdout and stderr are each capped at this many bytes on the agent (`truncated: true` beyond);
 * the live `command_output` stream carries up to this much of each. The final result must fit one
 * agent frame (1 MiB, `AGENT_LIMITS.maxFrameBytes`): when both streams together do not, the agent
 * shortens them to fit, so a stored record may hold less than 1 MiB of each (`truncated: true`).
 */
export const COMMAND_OUTPUT_CAP_BYTES = 1024 * 1024;

/**
 * How a command ended. `completed`: exit code 0; `failed`: non-zero exit, or the agent was lost
 * mid-command; `timeout`: killed at `timeoutSec`; `refused`: a policy or the agent said no (exec
 * disabled, allow-list); `unreachable`: no agent connected. `running` only while it runs.
 */
export const COMMAND_STATUSES = ['running', 'completed', 'failed', 'timeout', 'refused', 'unreachable'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

// ---- agent socket ----------------------------------------------------------------------
/** Backend → agent `command`. */
export interface CommandRequest { commandId: string; command: string; timeoutSec: number; cwd?: string }
/** The agent's acknowledgement of a command that ran (whatever its exit code). */
export interface CommandResult {
  commandId: string;
  /** null when the process was killed by a signal (timeout, agent stopping). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  truncated: boolean;
}
/** Agent → backend while a command runs (coalesced chunks, never one frame per byte). */
export interface CommandOutputChunk { commandId: string; stream: 'stdout' | 'stderr'; data: string }

// ---- REST ------------------------------------------------------------------------------
export interface RunCommandRequest { command: string; timeoutSec?: number }

/** `POST /commands/{serverId}` (synchronous): the finished command. */
export interface CommandResponse {
  commandId: string;
  command: string;
  status: CommandStatus;
  exitCode: number | null;
  /** stdout, as captured (capped). */
  output: string;
  stderr: string;
  durationMs: number | null;
  truncated: boolean;
}

/** `POST /commands/{serverId}?async=true` → 202. */
export interface CommandAccepted { commandId: string; command: string; status: 'running' }

/** One `command_history` row (`GET /commands/item/{id}` and the history list). */
export interface CommandRecord extends CommandResponse {
  serverId: string;
  userId: string | null;
  /** Why a command was refused, failed without an exit code, or could not be sent. */
  error: string | null;
  timedOut: boolean;
  ip: string | null;
  createdAt: string;
  finishedAt: string | null;
  /**
   * History lists only: true when `output` or `stderr` was cut to its first 4,096 characters;
   * `GET /commands/item/{id}` has the whole text.
   */
  preview?: boolean;
}

/** Per-server command policy, checked by the backend before anything is sent to the agent. */
export interface CommandPolicy {
  serverId: string;
  /** When non-empty, a command must match one of these patterns. */
  allow: string[];
  /** A command matching any of these is refused (checked before `allow`). */
  deny: string[];
  updatedAt: string | null;
}
export interface UpdateCommandPolicyRequest { allow?: string[]; deny?: string[] }
