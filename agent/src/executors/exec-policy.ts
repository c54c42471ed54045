/**
 * The agent's own allow-list for remote commands (`--exec-allow <file>`), in the command-pattern
 * syntax of libs/protocol (the same matcher the backend's per-server policy uses). Without a file
 * every command is allowed (exec itself still needs --enable-exec). Reloaded on SIGHUP; an invalid
 * new file leaves the previous list in force.
 */
import { readFileSync } from 'node:fs';
import { findAllowMatch, parsePatterns, type CommandPattern } from '@chatops/protocol/command-patterns';
import type { Logger } from '../log';

export interface AllowList {
  file: string;
  patterns: CommandPattern[];
}

export class AllowListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowListError';
  }
}

/** Reads and compiles the file; the error names the line (`line 3: invalid regular expression: ...`). */
export function loadAllowList(file: string): AllowList {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AllowListError(`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { file, patterns: parsePatterns(text) };
  } catch (err) {
    throw new AllowListError((err as Error).message);
  }
}

export type PolicyDecision = { ok: true } | { ok: false; message: string };

export class ExecPolicy {
  constructor(private list: AllowList | null, private readonly log: Logger) {}

  /** Number of patterns in force (null: no allow-list, everything allowed). */
  get size(): number | null {
    return this.list ? this.list.patterns.length : null;
  }

  check(command: string): PolicyDecision {
    if (!this.list) return { ok: true };
    if (findAllowMatch(this.list.patterns, command)) return { ok: true };
    return {
      ok: false,
      message: this.list.patterns.length
        ? `no pattern of the agent's allow-list (${this.list.file}) matches this command`
        : `the agent's allow-list (${this.list.file}) is empty: every command is refused`,
    };
  }

  /** SIGHUP: read the file again; keep the old list when the new one is invalid. */
  reload(): void {
    if (!this.list) {
      this.log.info('SIGHUP: no --exec-allow file to reload');
      return;
    }
    const { file } = this.list;
    try {
      this.list = loadAllowList(file);
      this.log.info('exec allow-list reloaded', { file, patterns: this.list.patterns.length });
    } catch (err) {
      this.log.error('exec allow-list not reloaded: the previous one stays in force', {
        file, error: (err as Error).message, patterns: this.list.patterns.length,
      });
    }
  }
}
