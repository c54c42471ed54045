/**
 * The web terminal (`terminal_open` / `_input` / `_resize` / `_close`): one PTY session per
 * sessionId, at most `maxSessions` at once, each belonging to the connection that opened it
 * (frames for another connection's session are ignored, and a lost connection ends its sessions).
 * Malformed frames are refused (`terminal_open`, which has an ack) or ignored (the others); the
 * agent never throws on them.
 */
import type { TerminalData, TerminalExit, TerminalOpenAck } from '@chatops/protocol';
import type { Logger } from '../log';
import type { PtyModule } from './pty-loader';
import { PtySession, type TerminalEndReason } from './pty-session';
import { checkTerminalClose, checkTerminalData, checkTerminalOpen, checkTerminalResize } from './request-validation';

/** Where a session's output and end go: one per connection. */
export interface PtyOwner {
  output(frame: TerminalData): void;
  exit(frame: TerminalExit): void;
  /** Bytes written to the connection and not yet sent. */
  backlog(): number;
}

export interface PtyExecutorOptions {
  pty: PtyModule;
  shell: string;
  shellArgs: string[];
  cwd: string;
  env: Record<string, string>;
  maxSessions: number;
  idleTimeoutMs: number;
  logger: Logger;
  killGraceMs?: number;
  outputIntervalMs?: number;
  outputMaxChars?: number;
}

export const DEFAULT_TERMINAL_MAX_SESSIONS = 4;
export const DEFAULT_TERMINAL_IDLE_TIMEOUT_SEC = 900;
/** SIGHUP → SIGKILL grace for a terminal's session. */
export const TERMINAL_KILL_GRACE_MS = 2000;
/** Output coalescing: at most one frame per 5 ms while output streams; the first bytes after a pause go at once. */
export const TERMINAL_OUTPUT_INTERVAL_MS = 5;
export const TERMINAL_OUTPUT_MAX_CHARS = 16 * 1024;

/** Shells that take `-l`: the terminal is a login shell, as over ssh (/etc/profile, ~/.profile). */
const LOGIN_FLAG_SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish']);

export function loginShellArgs(shell: string): string[] {
  return LOGIN_FLAG_SHELLS.has(shell.slice(shell.lastIndexOf('/') + 1)) ? ['-l'] : [];
}

interface Entry {
  owner: PtyOwner;
  session: PtySession;
  cols: number;
  rows: number;
}

export class PtyExecutor {
  private readonly o: Required<PtyExecutorOptions>;
  private readonly sessions = new Map<string, Entry>();
  private stopped = false;

  constructor(opts: PtyExecutorOptions) {
    this.o = {
      killGraceMs: TERMINAL_KILL_GRACE_MS,
      outputIntervalMs: TERMINAL_OUTPUT_INTERVAL_MS,
      outputMaxChars: TERMINAL_OUTPUT_MAX_CHARS,
      ...opts,
    };
  }

  get count(): number {
    return this.sessions.size;
  }

  /** Shell pids of the open sessions (for tests and logs). */
  get pids(): number[] {
    return [...this.sessions.values()].map((e) => e.session.pid);
  }

  open(owner: PtyOwner, raw: unknown, ack: (res: TerminalOpenAck) => void): void {
    const log = this.o.logger;
    const checked = checkTerminalOpen(raw);
    if (!checked.ok) {
      log.warn('terminal refused: invalid', { reason: checked.message });
      return ack({ ok: false, error: 'invalid', message: checked.message });
    }
    const { sessionId, cols, rows } = checked.value;
    if (this.stopped) return ack({ ok: false, error: 'disabled', message: 'the agent is stopping' });
    if (this.sessions.has(sessionId)) return ack({ ok: false, error: 'invalid', message: `session ${sessionId} is already open` });
    if (this.sessions.size >= this.o.maxSessions) {
      log.warn('terminal refused: too many sessions', { sessionId, open: this.sessions.size });
      return ack({ ok: false, error: 'too_many_sessions', message: `${this.sessions.size} terminal sessions are open on this agent (the limit)` });
    }
    let session: PtySession;
    try {
      const pty = this.o.pty.spawn(this.o.shell, this.o.shellArgs, {
        name: 'xterm-256color', cols, rows, cwd: this.o.cwd, env: this.o.env,
      });
      session = new PtySession({
        sessionId, pty,
        idleTimeoutMs: this.o.idleTimeoutMs,
        killGraceMs: this.o.killGraceMs,
        outputIntervalMs: this.o.outputIntervalMs,
        outputMaxChars: this.o.outputMaxChars,
        output: (data) => owner.output({ sessionId, data }),
        onEnd: (end) => this.ended(sessionId, end),
        backlog: () => owner.backlog(),
      });
    } catch (err) {
      log.error('terminal could not start', { sessionId, shell: this.o.shell, error: (err as Error).message });
      return ack({ ok: false, error: 'spawn_failed', message: (err as Error).message });
    }
    const entry: Entry = { owner, session, cols, rows };
    this.sessions.set(sessionId, entry);
    // Once gone, whatever the reason (silent ends included), the slot is free again.
    void session.ended.then(() => {
      if (this.sessions.get(sessionId) === entry) this.sessions.delete(sessionId);
    });
    log.info('terminal opened', { sessionId, cols, rows, shell: this.o.shell, pid: session.pid, open: this.sessions.size });
    ack({ ok: true });
  }

  input(owner: PtyOwner, raw: unknown): void {
    const frame = checkTerminalData(raw);
    const entry = frame && this.mine(owner, frame.sessionId);
    if (entry && frame) entry.session.input(frame.data);
  }

  resize(owner: PtyOwner, raw: unknown): void {
    const frame = checkTerminalResize(raw);
    const entry = frame && this.mine(owner, frame.sessionId);
    if (!entry || !frame) return;
    entry.cols = frame.cols;
    entry.rows = frame.rows;
    entry.session.resize(frame.cols, frame.rows);
  }

  close(owner: PtyOwner, raw: unknown): void {
    const frame = checkTerminalClose(raw);
    const entry = frame && this.mine(owner, frame.sessionId);
    if (entry) void entry.session.close('closed');
  }

  /** The owner's connection is gone: its sessions end, silently. */
  detach(owner: PtyOwner): void {
    for (const [sessionId, entry] of this.sessions) {
      if (entry.owner !== owner || entry.session.closing) continue;
      this.o.logger.info('terminal ended', { sessionId, reason: 'disconnected' });
      void entry.session.close('disconnected');
    }
  }

  /** The agent stops: every session ends (silently: the connection is closing too). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const ends = [...this.sessions].map(([sessionId, entry]) => {
      if (!entry.session.closing) this.o.logger.info('terminal ended', { sessionId, reason: 'stopping' });
      return entry.session.close('stopping');
    });
    await Promise.all(ends);
  }

  private mine(owner: PtyOwner, sessionId: string): Entry | null {
    const entry = this.sessions.get(sessionId);
    return entry && entry.owner === owner ? entry : null;
  }

  private ended(sessionId: string, end: { exitCode: number | null; reason: TerminalEndReason }): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    this.sessions.delete(sessionId);
    const s = entry.session;
    this.o.logger.info('terminal ended', {
      sessionId, reason: end.reason, exitCode: end.exitCode, durationMs: Date.now() - s.startedAt, charsIn: s.charsIn, charsOut: s.charsOut,
    });
    entry.owner.exit({ sessionId, exitCode: end.exitCode, reason: end.reason === 'idle' || end.reason === 'closed' ? end.reason : 'exit' });
  }
}
