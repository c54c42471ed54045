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

/** What both scans need of their input: a string's char codes or UTF-8 bytes. */
interface JsonText {
  length: number;
  indexOf(search: number | string, from?: number): number;
}

/**
 * Whether JSON text nests arrays/objects deeper than `max`: a linear pass over the raw text,
 * before parsing, so a hostile body or frame costs a scan (≈ 1 ms per MiB) rather than a parse
 * (≈ 150 ms for a 1 MiB `[[[[…`) and a stack overflow in recursive code. Brackets inside strings
 * do not count. Works on a string (socket frames) or on UTF-8 bytes (request bodies: every
 * structural character is ASCII, and no byte of a multi-byte UTF-8 sequence is).
 *
 * The hot path is a `metrics` frame of ~1 KB: when the text has at most `max` opening brackets at
 * all (strings included, so an upper bound), nothing can be too deep, and counting them with native
 * `indexOf` costs ≈ 0.2 µs there against ≈ 2.5 µs for the full scan.
 */
export function jsonDepthExceeds(text: string | Uint8Array, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= max * 2) return false; // too short to open more than `max` levels and close them
  if (typeof text === 'string') {
    return !fewOpenings(text, '{', '[', max) && scanText(text, max);
  }
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.length);
  return !fewOpenings(bytes, OPEN_OBJECT, OPEN_ARRAY, max) && scanBytes(bytes, max);
}

function fewOpenings<S extends number | string>(text: { indexOf(search: S, from?: number): number }, object: S, array: S, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf(object); i !== -1; i = text.indexOf(object, i + 1)) if (++count > max) return false;
  for (let i = text.indexOf(array); i !== -1; i = text.indexOf(array, i + 1)) if (++count > max) return false;
  return true;
}

/** The index of the quote closing the string whose opening quote is at `open` (-1: unterminated). */
function closingQuote(text: JsonText, at: (i: number) => number, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf(typeof text === 'string' ? '"' : QUOTE, i + 1);
    if (i === -1) return -1;
    let b = i - 1;
    while (at(b) === BACKSLASH) b--;
    if (((i - 1 - b) & 1) === 0) return i; // an even run of backslashes: the quote is not escaped
  }
}

// Two copies of one loop, so that each stays monomorphic (char codes vs bytes).
function scanText(text: string, max: number): boolean {
  const at = (i: number) => text.charCodeAt(i);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, at, i);
      if (i === -1) return false; // unterminated: JSON.parse refuses it anyway
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

function scanBytes(bytes: Buffer, max: number): boolean {
  const at = (i: number) => bytes[i];
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      i = closingQuote(bytes, at, i);
      if (i === -1) return false;
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
