/**
 * One web-terminal session: a shell on a PTY. Output is coalesced for low latency (the first
 * bytes after a quiet period go out at once, a burst is gathered into a frame every few
 * milliseconds). No input for `idleTimeoutMs` ends the session. However the session ends (closed,
 * idle, the shell exited, the connection went away, the agent stops), the shell's whole session
 * is ended: the shell and every job it started, each in its own process group (SIGHUP, then
 * SIGKILL after the grace period). `onEnd` fires once, when the shell is gone.
 *
 * Flow control: while more than `highWaterBytes` wait to be written to the backend (a slow link
 * and a shell running `yes`), the PTY is paused, so the agent's memory stays bounded; it resumes
 * below `lowWaterBytes`.
 */
import { OutputCoalescer } from './output-coalescer';
import { terminateTree } from './process-tree';
import type { Pty } from './pty-loader';

export type TerminalEndReason = 'exit' | 'closed' | 'idle' | 'disconnected' | 'stopping';

export interface PtySessionOptions {
  sessionId: string;
  pty: Pty;
  idleTimeoutMs: number;
  killGraceMs: number;
  outputIntervalMs: number;
  outputMaxChars: number;
  output: (data: string) => void;
  onEnd: (end: { exitCode: number | null; reason: TerminalEndReason }) => void;
  /** Bytes written to the connection and not yet sent (0 when unknown). */
  backlog?: () => number;
  highWaterBytes?: number;
  lowWaterBytes?: number;
}

const FLOW_POLL_MS = 20;

/** The EventEmitter side of node-pty's terminal, not in its typings. */
interface PtyEvents { on?: (event: 'error', listener: (err: Error) => void) => void }

export class PtySession {
  readonly startedAt = Date.now();
  charsIn = 0;
  charsOut = 0;
  private readonly coalescer: OutputCoalescer;
  private lastInputAt = performance.now();
  private idleTimer: NodeJS.Timeout | null = null;
  private flowTimer: NodeJS.Timeout | null = null;
  private reason: TerminalEndReason | null = null;
  private exited = false;
  private silent = false;
  private ending: Promise<void> | null = null;
  /** Resolves once the shell has exited and its session is gone. */
  readonly ended: Promise<void>;

  constructor(private readonly o: PtySessionOptions) {
    this.coalescer = new OutputCoalescer({
      intervalMs: o.outputIntervalMs,
      maxChars: o.outputMaxChars,
      emit: (data) => {
        if (this.silent) return;
        this.o.output(data);
        this.applyBackpressure();
      },
    });
    // node-pty rethrows an error of the PTY's stream (other than EIO/EAGAIN) unless someone else
    // listens for it: a read error on one terminal must not take the agent down.
    (o.pty as unknown as PtyEvents).on?.('error', () => undefined);
    const data = o.pty.onData((d) => {
      this.charsOut += d.length;
      this.coalescer.push(d);
    });
    this.ended = new Promise<void>((resolve) => {
      const exit = o.pty.onExit(({ exitCode, signal }) => {
        data.dispose();
        exit.dispose();
        this.exited = true;
        this.stopTimers();
        this.coalescer.flush();
        this.coalescer.dispose();
        // Jobs the shell left behind (`sleep 1000 &`) end with it.
        void this.terminate().then(() => {
          if (!this.silent) this.o.onEnd({ exitCode: signal ? null : exitCode, reason: this.reason ?? 'exit' });
          resolve();
        });
      });
    });
    this.armIdle(o.idleTimeoutMs);
  }

  get pid(): number {
    return this.o.pty.pid;
  }

  /** Closed, or the shell already exited: the session is on its way out. */
  get closing(): boolean {
    return this.reason !== null || this.exited;
  }

  input(data: string): void {
    if (this.reason || this.exited) return;
    this.lastInputAt = performance.now();
    this.charsIn += data.length;
    this.o.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.reason || this.exited) return;
    try {
      this.o.pty.resize(cols, rows);
    } catch {
      // the PTY is already closing
    }
  }

  /**
   * Ends the session. `disconnected` / `stopping` end it silently (nobody is left to tell);
   * otherwise `onEnd` reports it once the shell is gone.
   */
  close(reason: TerminalEndReason): Promise<void> {
    if (!this.reason && !this.exited) this.reason = reason;
    if (reason === 'disconnected' || reason === 'stopping') {
      this.silent = true;
      this.coalescer.dispose();
    }
    this.stopTimers();
    void this.terminate();
    return this.ended;
  }

  private terminate(): Promise<void> {
    this.ending ??= terminateTree({ leader: this.o.pty.pid, session: true }, { signal: 'SIGHUP', graceMs: this.o.killGraceMs });
    return this.ending;
  }

  /** One timer per session, re-armed only when it fires (keystrokes just move lastInputAt). */
  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const quiet = performance.now() - this.lastInputAt;
      if (quiet >= this.o.idleTimeoutMs) void this.close('idle');
      else this.armIdle(this.o.idleTimeoutMs - quiet);
    }, Math.max(1, ms));
  }

  private applyBackpressure(): void {
    const backlog = this.o.backlog;
    if (!backlog || this.flowTimer || backlog() <= (this.o.highWaterBytes ?? 1024 * 1024)) return;
    this.o.pty.pause();
    const poll = () => {
      if (this.exited || this.reason) {
        this.flowTimer = null;
        return;
      }
      if (backlog() <= (this.o.lowWaterBytes ?? 256 * 1024)) {
        this.flowTimer = null;
        this.o.pty.resume();
      } else {
        this.flowTimer = setTimeout(poll, FLOW_POLL_MS);
      }
    };
    this.flowTimer = setTimeout(poll, FLOW_POLL_MS);
  }

  private stopTimers(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.flowTimer) clearTimeout(this.flowTimer);
    this.idleTimer = this.flowTimer = null;
  }
}
