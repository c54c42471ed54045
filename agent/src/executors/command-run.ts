/**
 * One running command: `/bin/sh -c <command>` as the leader of its own session and process group,
 * stdin closed, stdout/stderr read to the end (each kept up to the cap, the rest discarded) and
 * streamed to `onOutput` as decoded text.
 *
 * Nothing it starts outlives it: when the shell exits, whatever is left in its process group (a
 * background `foo &`) is ended too (SIGTERM, SIGKILL after the grace period); a timeout or a
 * cancel ends the whole group the same way. The run is over when the shell has exited and its
 * pipes are closed; a process that escaped the group (`setsid`) but still holds a pipe is cut off
 * after the grace period plus half a second, so a command always finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CappedOutput } from './capped-output';
import { terminateTree } from './process-tree';

export type OutputStream = 'stdout' | 'stderr';

export interface RunSpec {
  command: string;
  cwd: string;
  env: Record<string, string>;
  capBytes: number;
  killGraceMs: number;
  onOutput: (stream: OutputStream, text: string) => void;
}

export interface RunOutcome {
  /** null when the shell was killed by a signal, or timed out. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** spawn(2) itself failed (EAGAIN, ENOMEM, ...): nothing ran. */
  spawnError: string | null;
}

/** Extra wait, after the grace period, for pipes held open by a process that escaped the group. */
const PIPE_DRAIN_EXTRA_MS = 500;

export class CommandRun {
  readonly done: Promise<RunOutcome>;
  private readonly child: ChildProcess;
  private readonly out: CappedOutput;
  private readonly err: CappedOutput;
  private exited = false;
  private timedOut = false;
  private exitCode: number | null = null;
  private signal: NodeJS.Signals | null = null;
  private spawnError: string | null = null;
  private ending: Promise<void> | null = null;
  private drainTimer: NodeJS.Timeout | null = null;

  constructor(private readonly spec: RunSpec) {
    this.out = new CappedOutput(spec.capBytes);
    this.err = new CappedOutput(spec.capBytes);
    this.child = spawn('/bin/sh', ['-c', spec.command], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // setsid(): its own session and process group, so the whole tree can be signalled
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.take('stdout', chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.take('stderr', chunk));
    this.done = new Promise<RunOutcome>((resolve) => {
      this.child.on('error', (e) => {
        // spawn failed: no 'exit' will come ('close' still does, once the pipes are gone)
        this.spawnError = e.message;
        this.exited = true;
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.signal = signal;
        void this.end(); // background leftovers of the group
        this.drainTimer = setTimeout(() => {
          this.child.stdout?.destroy();
          this.child.stderr?.destroy();
        }, spec.killGraceMs + PIPE_DRAIN_EXTRA_MS);
      });
      this.child.on('close', () => {
        if (this.drainTimer) clearTimeout(this.drainTimer);
        this.drainTimer = null;
        for (const [stream, o] of [['stdout', this.out], ['stderr', this.err]] as const) {
          const rest = o.end();
          if (rest) spec.onOutput(stream, rest);
        }
        resolve({
          exitCode: this.timedOut || this.spawnError ? null : this.exitCode,
          signal: this.signal,
          stdout: this.out.text,
          stderr: this.err.text,
          truncated: this.out.truncated || this.err.truncated,
          timedOut: this.timedOut,
          spawnError: this.spawnError,
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The deadline passed: end the whole process group; the outcome says timedOut. */
  timeout(): void {
    if (this.exited) return;
    this.timedOut = true;
    void this.end();
  }

  /** End the whole process group (the requester is gone, or the agent stops); resolves when it is gone. */
  cancel(): Promise<void> {
    return this.end();
  }

  private end(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return Promise.resolve();
    this.ending ??= terminateTree({ leader: pid, session: false }, { signal: 'SIGTERM', graceMs: this.spec.killGraceMs });
    return this.ending;
  }

  private take(stream: OutputStream, chunk: Buffer): void {
    const text = (stream === 'stdout' ? this.out : this.err).write(chunk);
    if (text) this.spec.onOutput(stream, text);
  }
}
