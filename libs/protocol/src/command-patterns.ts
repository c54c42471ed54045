/**
 * Command patterns: the one syntax for the agent's `--exec-allow` file and the backend's per-server
 * allow/deny policy. Dependency-free, so the agent loads it without the rest of the protocol
 * (`@chatops/protocol/command-patterns`).
 *
 * One pattern per line; blank lines and lines starting with `#` are ignored.
 * - A plain pattern is matched against the whole command (leading/trailing spaces trimmed).
 *   `*` matches any run of characters and `?` any one character, **except shell control
 *   characters** `; & | \` $ ( ) < >` and newlines, so an allowed `df *` never lets
 *   `df -h; rm -rf /` or `df $(...)` through. Every other character matches itself.
 * - `re:<regex>` is a JavaScript regular expression matched against the whole command
 *   (anchored for you). It can match anything: use it with care.
 * Allow rules: the command must match one of them. Deny rules: a command is refused when the
 * whole command or any segment of it (split at `;`, `&&`, `||`, `|`, `&` and newlines) matches.
 * An allow-list is the security boundary; a deny list is a guard rail.
 */

const CONTROL = ';&|`$()<>\\n\\r';
const SAFE_RUN = `[^${CONTROL}]*`;
const SAFE_ONE = `[^${CONTROL}]`;
/** Longest pattern line and most lines accepted (a policy is small; this bounds the work per command). */
export const MAX_PATTERN_LENGTH = 512;
export const MAX_PATTERNS = 500;

export interface CommandPattern {
  /** The line as written. */
  readonly source: string;
  readonly regex: RegExp;
}

export class PatternError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PatternError';
  }
}

/** Compiles one pattern; throws `PatternError` (with `lineNo`) when it is not valid. */
export function compilePattern(source: string, lineNo = 1): CommandPattern {
  const text = source.trim();
  if (!text) throw new PatternError(lineNo, 'empty pattern');
  if (text.length > MAX_PATTERN_LENGTH) throw new PatternError(lineNo, `longer than ${MAX_PATTERN_LENGTH} characters`);
  if (text.startsWith('re:')) {
    const body = text.slice(3);
    if (!body) throw new PatternError(lineNo, 'empty regular expression');
    try {
      return { source: text, regex: new RegExp(`^(?:${body})$`, 'u') };
    } catch (err) {
      throw new PatternError(lineNo, `invalid regular expression: ${(err as Error).message}`);
    }
  }
  let re = '';
  for (const ch of text) {
    if (ch === '*') re += SAFE_RUN;
    else if (ch === '?') re += SAFE_ONE;
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return { source: text, regex: new RegExp(`^${re}$`, 'u') };
}

/** Parses a pattern file or list: comments and blank lines skipped, every error names its line. */
export function parsePatterns(input: string | readonly string[]): CommandPattern[] {
  const lines = typeof input === 'string' ? input.split(/\r?\n/) : input;
  const patterns: CommandPattern[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    patterns.push(compilePattern(text, i + 1));
  });
  if (patterns.length > MAX_PATTERNS) throw new PatternError(MAX_PATTERNS + 1, `more than ${MAX_PATTERNS} patterns`);
  return patterns;
}

/** The command's segments, split at the shell's control operators (`;`, `&&`, `||`, `|`, `&`, newlines). */
export function commandSegments(command: string): string[] {
  return command.split(/;|&&|\|\||\||&|\r?\n/).map((s) => s.trim()).filter(Boolean);
}

/** The first allow pattern the whole command matches, or null. */
export function findAllowMatch(patterns: readonly CommandPattern[], command: string): CommandPattern | null {
  const text = command.trim();
  return patterns.find((p) => p.regex.test(text)) ?? null;
}

/** The first deny pattern matching the whole command or one of its segments, or null. */
export function findDenyMatch(patterns: readonly CommandPattern[], command: string): CommandPattern | null {
  if (!patterns.length) return null;
  const candidates = [command.trim(), ...commandSegments(command)];
  return patterns.find((p) => candidates.some((c) => p.regex.test(c))) ?? null;
}

const DANGEROUS: Array<[RegExp, string]> = [
  [/^(sudo\s+)?rm\s+(-\S*\s+)*-\S*[rRf]/, 'removes files recursively or by force'],
  [/^(sudo\s+)?(shutdown|reboot|halt|poweroff)\b/, 'stops or restarts the machine'],
  [/^(sudo\s+)?(init|telinit)\s+[06]\b/, 'stops or restarts the machine'],
  [/^(sudo\s+)?systemctl\s+(reboot|poweroff|halt|kexec)\b/, 'stops or restarts the machine'],
  [/^(sudo\s+)?mkfs(\.\w+)?\b/, 'formats a filesystem'],
  [/^(sudo\s+)?dd\b.*\bof=/, 'writes raw data to a file or device'],
  [/^(sudo\s+)?(wipefs|fdisk|sfdisk|parted|shred)\b/, 'rewrites disks or partitions'],
  [/^(sudo\s+)?chmod\s+(-\S+\s+)*-R\S*\s+\S*\s+\/\s*$/, 'changes permissions of the whole filesystem'],
  [/:\(\)\s*\{.*:\|:.*\}/, 'a fork bomb'],
  [/>\s*\/dev\/(sd|nvme|vd|xvd|hd)/, 'overwrites a disk device'],
];

/** Why a command looks destructive (the dashboard asks for confirmation), or null. */
export function dangerousReason(command: string): string | null {
  const segments = commandSegments(command);
  for (const [re, reason] of DANGEROUS) {
    if (re.test(command.trim()) || segments.some((s) => re.test(s))) return reason;
  }
  return null;
}
