declare global {
  // Node 20 has it (V8 11.3); TypeScript declares it from lib ES2024 on, and this project targets ES2023.
  interface String { isWellFormed(): boolean }
}

/**
 * Rules every piece of client JSON obeys before anything recursive (validation, class-transformer,
 * logging, the database driver) sees it: REST bodies, query strings, route params and socket frames.
 */

/**
 * Deepest nesting of arrays and objects accepted in a request body or a socket frame. Real
 * payloads stay under 6 levels (server metadata is the only free-form one); deeper ones only
 * exist to make recursive code overflow its stack or spin.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays/objects deeper than `max`: one linear pass over the raw text,
 * before parsing, so a hostile body costs a scan (≈ 1 ms per MiB) rather than a parse and a stack
 * overflow. Brackets inside strings do not count. Works on a string (char codes) or on UTF-8 bytes
 * (every structural character is ASCII, and no byte of a multi-byte UTF-8 sequence is).
 */
export function jsonDepthExceeds(text: string | Uint8Array, max = MAX_JSON_DEPTH): boolean {
  const n = text.length;
  if (n <= max * 2) return false; // too short to open more than `max` levels and say anything
  const at: (i: number) => number = typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => text[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < n; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Why a string is refused, or null when it is acceptable text. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (!s.isWellFormed()) return 'must be well-formed Unicode (no lone UTF-16 surrogates)';
  return null;
}

export interface TextIssue { field: string; problem: string }

/**
 * The first string (object key or value) in a parsed JSON value that is not acceptable text, with
 * its path (`metadata.labels[2]`). Recursion is safe: bodies and frames are depth-checked before
 * they are parsed; `maxDepth` still bounds it for values that did not come from a parser.
 */
export function findTextIssue(value: unknown, path = '', maxDepth = MAX_JSON_DEPTH + 2): TextIssue | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path || '(value)', problem } : null;
  }
  if (value === null || typeof value !== 'object' || maxDepth <= 0) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = findTextIssue(value[i], `${path}[${i}]`, maxDepth - 1);
      if (issue) return issue;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    const keyProblem = textProblem(key);
    // The key itself is the bad text: name it by its position, never echo it.
    if (keyProblem) return { field: `${path || '(root)'} (a key)`, problem: keyProblem };
    const issue = findTextIssue((value as Record<string, unknown>)[key], field, maxDepth - 1);
    if (issue) return issue;
  }
  return null;
}
