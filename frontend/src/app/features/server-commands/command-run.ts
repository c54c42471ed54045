import { computed, signal } from '@angular/core';
import type { CommandRecord, CommandStatus } from '@chatops/protocol';
import { AnsiOutput, OutputChunk, OutputStream } from './ansi-output';

/** `starting`: the request is on its way; `rejected`: the server refused the request itself (400, 429...). */
export type RunState = 'starting' | 'rejected' | CommandStatus;

/** What the output panel shows, for a run of this page or a history record. */
export interface CommandView {
  command: string;
  state: RunState;
  chunks: OutputChunk[];
  exitCode: number | null;
  durationMs: number | null;
  truncated: boolean;
  timedOut: boolean;
  /** Why it was refused / could not run / failed without an exit code. */
  error: string | null;
}

/** One command started from this page: its output as it streams in, then its final record. */
export class CommandRun {
  readonly commandId = signal<string | null>(null);
  readonly state = signal<RunState>('starting');
  readonly record = signal<CommandRecord | null>(null);
  readonly error = signal<string | null>(null);
  /** Chunks were missed and the record only has a preview of the output: the page fetches the item. */
  readonly incomplete = signal(false);
  private readonly chunks = signal<OutputChunk[]>([]);
  private output: AnsiOutput;
  private readonly streamed: Record<OutputStream, number> = { stdout: 0, stderr: 0 };

  readonly view = computed((): CommandView => {
    const r = this.record();
    return {
      command: this.command,
      state: this.state(),
      chunks: this.chunks(),
      exitCode: r?.exitCode ?? null,
      durationMs: r?.durationMs ?? null,
      truncated: r?.truncated ?? false,
      timedOut: r?.timedOut ?? false,
      error: this.error() ?? r?.error ?? null,
    };
  });

  constructor(
    readonly localId: number,
    readonly command: string,
    readonly timeoutSec: number | null,
  ) {
    this.output = new AnsiOutput();
  }

  get finished(): boolean {
    const s = this.state();
    return s !== 'starting' && s !== 'running';
  }

  accepted(commandId: string): void {
    this.commandId.set(commandId);
    if (this.state() === 'starting') this.state.set('running');
  }

  append(stream: OutputStream, data: string): void {
    if (this.finished) return;
    this.streamed[stream] += data.length;
    this.chunks.set(this.output.append(stream, data));
  }

  finish(record: CommandRecord): void {
    if (record.status === 'running') return;
    // Chunks missed while the socket was away: show what the server recorded instead.
    const missed = this.streamed.stdout < (record.output ?? '').length || this.streamed.stderr < (record.stderr ?? '').length;
    if (missed) this.chunks.set(recordOutput(record));
    this.incomplete.set(missed && record.preview === true);
    this.record.set(record);
    this.state.set(record.status);
  }

  /** The request was refused before (or instead of) running. */
  refuse(state: RunState, message: string): void {
    this.error.set(message);
    this.state.set(state);
  }
}

/** A record's output as chunks: stdout, then stderr. */
export function recordOutput(record: Pick<CommandRecord, 'output' | 'stderr'>): OutputChunk[] {
  const out = new AnsiOutput();
  if (record.output) out.append('stdout', record.output);
  if (record.stderr) out.append('stderr', record.stderr);
  return out.chunks;
}

export function recordView(r: CommandRecord): CommandView {
  return {
    command: r.command, state: r.status, chunks: recordOutput(r), exitCode: r.exitCode, durationMs: r.durationMs,
    truncated: r.truncated, timedOut: r.timedOut, error: r.error,
  };
}
