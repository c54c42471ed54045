/** The web terminal: agent frames, browser frames over `/live`, and recordings (REST). */

export const TERMINAL_MIN_SIZE = 1;
export const TERMINAL_MAX_COLS = 1000;
export const TERMINAL_MAX_ROWS = 500;
/** Largest `data` in one terminal frame (input or output), in characters. */
export const TERMINAL_MAX_CHUNK = 64 * 1024;

// ---- agent socket ----------------------------------------------------------------------
export interface TerminalOpen { sessionId: string; cols: number; rows: number }
export interface TerminalResize { sessionId: string; cols: number; rows: number }
export interface TerminalData { sessionId: string; data: string }
export interface TerminalClose { sessionId: string }
/** `reason`: `idle` when the agent's idle timeout ended it, `closed` after `terminal_close`; absent (older agents) or `exit` when the shell ended. */
export interface TerminalExit { sessionId: string; exitCode: number | null; reason?: 'exit' | 'closed' | 'idle' }
export type TerminalOpenAck = { ok: true } | { ok: false; error: 'disabled' | 'too_many_sessions' | 'invalid' | 'spawn_failed' | string; message?: string };

// ---- /live (browser) -------------------------------------------------------------------
export interface LiveTerminalOpen { serverId: string; cols: number; rows: number }
export type LiveTerminalOpenAck =
  | { ok: true; sessionId: string }
  | { ok: false; error: 'not_found' | 'invalid' | 'disabled' | 'agent_offline' | 'too_many_sessions' | 'unavailable' | string; message?: string };
/**
 * Why a session ended, as the browser is told. `instance_died`: the backend instance relaying it
 * stopped (its browser was connected there); only recorded, that browser's socket is gone.
 */
/** `access_revoked`: the user no longer holds `terminal.open` on the server (a team role changed, they left the team, the server moved). */
export type TerminalEndReason = 'exit' | 'closed' | 'agent_disconnected' | 'idle' | 'error' | 'instance_died' | 'access_revoked';
export interface LiveTerminalExit { sessionId: string; exitCode: number | null; reason: TerminalEndReason }

// ---- REST: recordings ------------------------------------------------------------------
export interface TerminalSession {
  id: string;
  serverId: string;
  userId: string | null;
  username: string | null;
  cols: number;
  rows: number;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  endReason: TerminalEndReason | null;
  /** Bytes of output and input recorded. */
  bytesOut: number;
  bytesIn: number;
  /** The recording stopped keeping output past its size cap (the session went on). */
  recordingTruncated: boolean;
}
