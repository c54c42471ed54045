import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { CommandPolicy } from '@chatops/protocol';
import { findAllowMatch, findDenyMatch, parsePatterns, PatternError } from '@chatops/protocol/command-patterns';
import { CommandPolicyEntity, toCommandPolicy } from './command-policy.entity';
import { CommandErrorCode, CommandException } from './commands.errors';

/** Your role runs only allow-listed commands, and this server has no allow-list. */
const NEEDS_ALLOW_LIST = 'it is not on the server\'s allow-list, and your role runs only allow-listed commands (commands.unrestricted is needed for others)';

/**
 * Per-server allow/deny patterns, checked before anything is sent to the agent. Policies are read
 * per command (commands are rare next to metrics), so every instance sees a change at once.
 */
@Injectable()
export class CommandPolicyService {
  constructor(@InjectRepository(CommandPolicyEntity) private readonly repo: Repository<CommandPolicyEntity>) {}

  async get(serverId: string): Promise<CommandPolicy> {
    return toCommandPolicy(serverId, await this.repo.findOneBy({ serverId }));
  }

  /**
   * Why the policy refuses the command, or null when it may run. `allowListOnly` (a caller without
   * `commands.unrestricted`): the command must also match an allow rule, so no allow-list, no command.
   */
  async check(serverId: string, command: string, allowListOnly = false): Promise<string | null> {
    const row = await this.repo.findOneBy({ serverId });
    if (!row || (!row.allow.length && !row.deny.length)) return allowListOnly ? NEEDS_ALLOW_LIST : null;
    // Stored patterns were validated on save; a pattern that no longer compiles refuses everything.
    let deny, allow;
    try {
      deny = parsePatterns(row.deny);
      allow = parsePatterns(row.allow);
    } catch {
      return 'the policy holds an invalid pattern; fix it in the server settings';
    }
    const denied = findDenyMatch(deny, command);
    if (denied) return `it matches the deny rule "${denied.source}"`;
    if (allowListOnly && !allow.length) return NEEDS_ALLOW_LIST;
    if (allow.length && !findAllowMatch(allow, command)) return 'it matches none of the allow rules';
    return null;
  }

  /** Replaces the given lists (absent ones are kept); every pattern is validated, errors name their line. */
  async update(serverId: string, change: { allow?: string[]; deny?: string[] }, userId: string): Promise<CommandPolicy> {
    const current = await this.repo.findOneBy({ serverId });
    const allow = clean(change.allow ?? current?.allow ?? []);
    const deny = clean(change.deny ?? current?.deny ?? []);
    const details = [...problems('allow', allow), ...problems('deny', deny)];
    if (details.length) {
      throw new CommandException(CommandErrorCode.InvalidPolicy, `Invalid pattern: ${details[0].errors[0]}`, details);
    }
    await this.repo.upsert({ serverId, allow, deny, updatedBy: userId, updatedAt: new Date() }, ['serverId']);
    return this.get(serverId);
  }
}

/** Trimmed, without blanks and comments (the editor may send them). */
const clean = (lines: string[]) => lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

function problems(field: 'allow' | 'deny', lines: string[]): Array<{ field: string; errors: string[] }> {
  const out: Array<{ field: string; errors: string[] }> = [];
  lines.forEach((line, i) => {
    try {
      parsePatterns([line]);
    } catch (err) {
      const message = err instanceof PatternError ? err.message.replace(/^line \d+: /, '') : String(err);
      out.push({ field: `${field}[${i}]`, errors: [`${field} line ${i + 1} "${line.slice(0, 80)}": ${message}`] });
    }
  });
  return out;
}
