import type { LiveTerminalOpenAck, TerminalEndReason } from '@chatops/protocol';
import { LiveRequestError } from '../../core/live/live-socket.service';

/** Why `terminal_open` was refused, for people. */
export function openErrorMessage(ack: Extract<LiveTerminalOpenAck, { ok: false }>): string {
  const known: Record<string, string> = {
    not_found: 'This server does not exist, or it is not yours.',
    invalid: 'The terminal request was invalid.',
    disabled: "The web terminal is turned off on this server's agent (start it with --enable-exec --enable-terminal).",
    agent_offline: 'The agent is offline: the terminal needs a connected agent.',
    too_many_sessions: 'Too many terminal sessions are open on this server. Close one and try again.',
    unavailable: 'The terminal service is unavailable right now. Try again in a moment.',
  };
  // The server's message is the most precise (it names the limit, the flags...); ours when it sent none.
  if (ack.message) return known[ack.error] ? ack.message : `The terminal could not be opened (${ack.error}): ${ack.message}`;
  return known[ack.error] ?? `The terminal could not be opened (${ack.error}).`;
}

/** A failure before any answer from the server. */
export function requestErrorMessage(err: unknown): string {
  if (err instanceof LiveRequestError) {
    if (err.reason === 'timeout') return 'The server did not answer in time. Try again.';
    return 'Not connected to the live server. Wait for the connection (top right) and try again.';
  }
  return err instanceof Error ? err.message : 'The terminal could not be opened.';
}

/** How a session ended, for the status line. */
export function endMessage(reason: TerminalEndReason | 'socket' | 'user', exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? 'The shell exited.' : `The shell exited with code ${exitCode}.`;
    case 'closed':
      return 'The session was closed.';
    case 'user':
      return 'You closed the session.';
    case 'agent_disconnected':
      return 'The agent disconnected.';
    case 'idle':
      return 'The session was closed after being idle.';
    case 'socket':
      return 'Disconnected from the live server: the session ended.';
    case 'access_revoked':
      return 'Your access to this server changed: you may no longer open a terminal here.';
    case 'instance_died':
      return 'The backend instance relaying the session stopped.';
    default:
      return 'The session ended with an error.';
  }
}
