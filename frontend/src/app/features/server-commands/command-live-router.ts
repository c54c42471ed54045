import type { CommandRecord } from '@chatops/protocol';
import type { OutputStream } from './ansi-output';
import type { CommandRun } from './command-run';

/** Ids of other commands (other tabs, other users) buffered at most, and for how long. */
export const MAX_PENDING_COMMANDS = 20;
export const MAX_PENDING_CHARS = 256 * 1024;
export const PENDING_TTL_MS = 60_000;

interface Pending {
  chunks: { stream: OutputStream; data: string }[];
  chars: number;
  finished: CommandRecord | null;
  at: number;
}

/**
 * Routes `/live` command events to the runs of this page by commandId. Output can arrive before
 * the 202 that names the command, so events for ids not claimed yet are buffered (bounded: other
 * users' commands on the same server arrive here too and are never claimed) until `attach()`.
 */
export class CommandLiveRouter {
  private readonly runs = new Map<string, CommandRun>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  output(commandId: string, stream: OutputStream, data: string): void {
    const run = this.runs.get(commandId);
    if (run) return run.append(stream, data);
    const p = this.pendingFor(commandId);
    if (p.chars + data.length > MAX_PENDING_CHARS) return; // the final record will carry it
    p.chunks.push({ stream, data });
    p.chars += data.length;
  }

  finished(record: CommandRecord): void {
    const run = this.runs.get(record.commandId);
    if (run) {
      run.finish(record);
      this.runs.delete(record.commandId);
      return;
    }
    this.pendingFor(record.commandId).finished = record;
  }

  /** The 202 named the run's command: replay what arrived before it, then follow it. */
  attach(run: CommandRun, commandId: string): void {
    run.accepted(commandId);
    const p = this.pending.get(commandId);
    this.pending.delete(commandId);
    p?.chunks.forEach((c) => run.append(c.stream, c.data));
    if (p?.finished) run.finish(p.finished);
    else this.runs.set(commandId, run);
  }

  /** Stops following a run (finished through another path, or the page is leaving). */
  detach(commandId: string): void {
    this.runs.delete(commandId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private pendingFor(commandId: string): Pending {
    let p = this.pending.get(commandId);
    if (p) return p;
    const now = this.now();
    for (const [id, old] of this.pending) if (now - old.at > PENDING_TTL_MS) this.pending.delete(id);
    while (this.pending.size >= MAX_PENDING_COMMANDS) this.pending.delete(this.pending.keys().next().value!);
    p = { chunks: [], chars: 0, finished: null, at: now };
    this.pending.set(commandId, p);
    return p;
  }
}
