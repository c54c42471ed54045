/**
 * Remote commands (`command` requests): checked, allow-listed, queued and run with bounded
 * concurrency. At most `concurrency` run at once; up to `queueLimit` more wait in arrival order;
 * beyond that the request is refused with `queue_full`. `timeoutSec` counts from the moment the
 * agent received the request, queue time included, and so does `durationMs`.
 *
 * Every command belongs to the connection it came from (its owner). When that connection goes
 * away its queued commands are dropped and its running ones are ended (whole process group), and
 * no ack is sent for them: nobody is left to read it.
 */
import { statSync } from 'node:fs';
import type { CapabilityError, CommandOutputChunk, CommandRequest, CommandResult } from '@chatops/protocol';
import type { Logger } from '../log';
import { CommandRun, type OutputStream, type RunOutcome } from './command-run';
import type { ExecPolicy } from './exec-policy';
import { COMMAND_OUTPUT_CAP_BYTES, FRAME_HEADER_ROOM, MAX_FRAME_BYTES } from './limits';
import { OutputCoalescer } from './output-coalescer';
import { checkCommandRequest } from './request-validation';
import { fitResult } from './result-frame';

/** Where a command's streamed output goes: one per connection. */
export interface CommandOwner {
  output(chunk: CommandOutputChunk): void;
}

export type CommandAck = (res: CommandResult | CapabilityError) => void;

export interface CommandExecutorOptions {
  /** Working directory when the request names none. */
  cwd: string;
  env: Record<string, string>;
  policy: ExecPolicy;
  concurrency: number;
  logger: Logger;
  queueLimit?: number;
  killGraceMs?: number;
  capBytes?: number;
  outputIntervalMs?: number;
  outputMaxChars?: number;
  maxAckBytes?: number;
}

export const DEFAULT_EXEC_CONCURRENCY = 4;
/** Commands waiting for a slot, beyond which requests are refused with `queue_full`. */
export const COMMAND_QUEUE_LIMIT = 32;
/** SIGTERM → SIGKILL grace for a command's process group. */
export const COMMAND_KILL_GRACE_MS = 2000;
/** command_output coalescing: a frame at most every 50 ms per stream, or as soon as 16 Ki characters wait. */
export const COMMAND_OUTPUT_INTERVAL_MS = 50;
export const COMMAND_OUTPUT_MAX_CHARS = 16 * 1024;
/** Longest command text in a log line. */
export const LOGGED_COMMAND_CHARS = 200;

interface Job {
  req: CommandRequest;
  owner: CommandOwner;
  ack: CommandAck;
  receivedAt: number;
  deadline: NodeJS.Timeout | null;
  run: CommandRun | null;
  cancelled: boolean;
  streams: Record<OutputStream, OutputCoalescer> | null;
}

export class CommandExecutor {
  private readonly o: Required<CommandExecutorOptions>;
  private readonly waiting: Job[] = [];
  private readonly running = new Set<Job>();
  private readonly jobs = new Map<string, Job>();
  private stopped = false;

  constructor(opts: CommandExecutorOptions) {
    this.o = {
      queueLimit: COMMAND_QUEUE_LIMIT,
      killGraceMs: COMMAND_KILL_GRACE_MS,
      capBytes: COMMAND_OUTPUT_CAP_BYTES,
      outputIntervalMs: COMMAND_OUTPUT_INTERVAL_MS,
      outputMaxChars: COMMAND_OUTPUT_MAX_CHARS,
      maxAckBytes: MAX_FRAME_BYTES - FRAME_HEADER_ROOM,
      ...opts,
    };
  }

  /** Commands running and waiting (for tests and logs). */
  get load(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.waiting.length };
  }

  /** Process ids of the running commands' shells (their process group ids). */
  get pids(): number[] {
    return [...this.running].map((j) => j.run?.pid).filter((p): p is number => p !== undefined);
  }

  handle(owner: CommandOwner, raw: unknown, ack: CommandAck): void {
    const log = this.o.logger;
    const checked = checkCommandRequest(raw);
    if (!checked.ok) {
      log.warn('command request refused: invalid', { commandId: idOf(raw), reason: checked.message });
      return ack({ ok: false, error: 'invalid', message: checked.message });
    }
    const req = checked.value;
    const fields = { commandId: req.commandId, command: shorten(req.command) };
    if (this.stopped) return ack({ ok: false, error: 'disabled', message: 'the agent is stopping' });
    if (this.jobs.has(req.commandId)) {
      log.warn('command request refused: duplicate commandId', fields);
      return ack({ ok: false, error: 'invalid', message: `command ${req.commandId} is already running or queued` });
    }
    const decision = this.o.policy.check(req.command);
    if (!decision.ok) {
      log.warn('command refused by the allow-list', fields);
      return ack({ ok: false, error: 'not_allowed', message: decision.message });
    }
    if (this.running.size >= this.o.concurrency && this.waiting.length >= this.o.queueLimit) {
      log.warn('command refused: queue full', { ...fields, running: this.running.size, waiting: this.waiting.length });
      return ack({ ok: false, error: 'queue_full', message: `${this.running.size} commands running and ${this.waiting.length} waiting on this agent` });
    }
    const job: Job = { req, owner, ack, receivedAt: performance.now(), deadline: null, run: null, cancelled: false, streams: null };
    job.deadline = setTimeout(() => this.onDeadline(job), req.timeoutSec * 1000);
    this.jobs.set(req.commandId, job);
    if (this.running.size < this.o.concurrency) {
      this.start(job);
    } else {
      this.waiting.push(job);
      log.info('command queued', { ...fields, position: this.waiting.length });
    }
  }

  /** The owner's connection is gone: drop its queued commands, end its running ones, send nothing. */
  detach(owner: CommandOwner): void {
    const mine = [...this.jobs.values()].filter((j) => j.owner === owner);
    for (const job of mine) this.cancel(job, 'the backend connection is gone');
    this.pump();
  }

  /** The agent stops: nothing new starts, everything queued is dropped, everything running is ended. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const ends = [...this.jobs.values()].map((job) => this.cancel(job, 'the agent is stopping'));
    await Promise.all(ends);
  }

  private cancel(job: Job, why: string): Promise<void> {
    if (job.cancelled) return job.run?.cancel() ?? Promise.resolve();
    job.cancelled = true;
    job.streams?.stdout.dispose();
    job.streams?.stderr.dispose();
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      this.forget(job);
      this.o.logger.info('queued command dropped', { commandId: job.req.commandId, reason: why });
      return Promise.resolve();
    }
    this.o.logger.info('running command ended', { commandId: job.req.commandId, reason: why });
    return job.run?.cancel() ?? Promise.resolve();
  }

  private start(job: Job): void {
    const { req } = job;
    this.running.add(job);
    const cwd = req.cwd ?? this.o.cwd;
    const cwdProblem = directoryProblem(cwd);
    if (cwdProblem) {
      this.running.delete(job);
      this.forget(job);
      this.o.logger.warn('command not started', { commandId: req.commandId, cwd, reason: cwdProblem });
      job.ack({ ok: false, error: 'spawn_failed', message: `working directory ${cwd}: ${cwdProblem}` });
      this.pump();
      return;
    }
    const emit = (stream: OutputStream) => (data: string) => {
      if (!job.cancelled) job.owner.output({ commandId: req.commandId, stream, data });
    };
    const coalescer = (stream: OutputStream) =>
      new OutputCoalescer({ intervalMs: this.o.outputIntervalMs, maxChars: this.o.outputMaxChars, emit: emit(stream) });
    const streams = { stdout: coalescer('stdout'), stderr: coalescer('stderr') };
    job.streams = streams;
    try {
      job.run = new CommandRun({
        command: req.command,
        cwd,
        env: this.o.env,
        capBytes: this.o.capBytes,
        killGraceMs: this.o.killGraceMs,
        onOutput: (stream, text) => streams[stream].push(text),
      });
    } catch (err) {
      // spawn() reports most failures asynchronously, some (ENOMEM, ...) by throwing
      this.finish(job, { exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, timedOut: false, spawnError: (err as Error).message });
      return;
    }
    void job.run.done.then((outcome) => this.finish(job, outcome));
  }

  private finish(job: Job, outcome: RunOutcome): void {
    this.running.delete(job);
    this.forget(job);
    const { req } = job;
    const durationMs = Math.round(performance.now() - job.receivedAt);
    if (outcome.spawnError) {
      this.o.logger.warn('command not started', { commandId: req.commandId, reason: outcome.spawnError });
      if (!job.cancelled) job.ack({ ok: false, error: 'spawn_failed', message: outcome.spawnError });
    } else {
      const result = fitResult({
        commandId: req.commandId, exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr,
        durationMs, timedOut: outcome.timedOut, truncated: outcome.truncated,
      }, this.o.maxAckBytes);
      this.o.logger.info('command finished', {
        commandId: req.commandId, command: shorten(req.command), exitCode: result.exitCode, signal: outcome.signal,
        durationMs, timedOut: result.timedOut, truncated: result.truncated, ...(job.cancelled ? { acked: false } : {}),
      });
      if (!job.cancelled) {
        // output still waiting goes out before the ack, so a listener sees it all before the end
        job.streams?.stdout.flush();
        job.streams?.stderr.flush();
        job.ack(result);
      }
    }
    job.streams?.stdout.dispose();
    job.streams?.stderr.dispose();
    this.pump();
  }

  private onDeadline(job: Job): void {
    job.deadline = null;
    const queued = this.waiting.indexOf(job);
    if (queued < 0) {
      job.run?.timeout();
      return;
    }
    // Timed out while waiting for a slot: it never ran.
    this.waiting.splice(queued, 1);
    this.forget(job);
    const durationMs = Math.round(performance.now() - job.receivedAt);
    this.o.logger.info('command finished', {
      commandId: job.req.commandId, command: shorten(job.req.command), exitCode: null, durationMs, timedOut: true, truncated: false, queued: true,
    });
    job.ack({ commandId: job.req.commandId, exitCode: null, stdout: '', stderr: '', durationMs, timedOut: true, truncated: false });
  }

  private forget(job: Job): void {
    if (job.deadline) clearTimeout(job.deadline);
    job.deadline = null;
    if (this.jobs.get(job.req.commandId) === job) this.jobs.delete(job.req.commandId);
  }

  /** Starts waiting commands, oldest first, while there is a free slot. */
  private pump(): void {
    while (!this.stopped && this.running.size < this.o.concurrency && this.waiting.length > 0) {
      this.start(this.waiting.shift()!);
    }
  }
}

function directoryProblem(path: string): string | null {
  try {
    return statSync(path).isDirectory() ? null : 'not a directory';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

export function shorten(command: string, max = LOGGED_COMMAND_CHARS): string {
  return command.length <= max ? command : `${command.slice(0, max)}…`;
}

function idOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { commandId?: unknown }).commandId : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : undefined;
}
