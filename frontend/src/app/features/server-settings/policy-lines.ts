/** The two lists of a command policy. */
export type PolicyList = 'allow' | 'deny';

/** A pattern and the line of the text box it is on (1-based). */
export interface PolicyLine {
  line: number;
  pattern: string;
}

/** A bad pattern, by list and line of the text box (null: the server did not say which). */
export interface PolicyLineError {
  list: PolicyList;
  line: number | null;
  message: string;
}

/** The patterns of a text box: one per line, trimmed; blank lines and `#` comments are skipped. */
export function policyLines(text: string): PolicyLine[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ line: i + 1, pattern: raw.trim() }))
    .filter((l) => l.pattern && !l.pattern.startsWith('#'));
}

/**
 * The per-pattern errors of a 400 from `PUT /commands/{id}/policy`: `details` holds
 * `{ field: 'allow[3]', errors: ['allow line 4 "x": why'] }`, indexed by the patterns as sent, which
 * `sent` maps back to the lines of the text boxes.
 */
export function serverPolicyErrors(body: unknown, sent: Record<PolicyList, PolicyLine[]>): PolicyLineError[] {
  const details = typeof body === 'object' && body !== null ? (body as { details?: unknown }).details : undefined;
  if (!Array.isArray(details)) return [];
  const out: PolicyLineError[] = [];
  for (const d of details) {
    if (typeof d !== 'object' || d === null) continue;
    const { field, errors } = d as { field?: unknown; errors?: unknown };
    const m = typeof field === 'string' ? /^(allow|deny)(?:\[(\d+)\])?$/.exec(field) : null;
    if (!m) continue;
    const list = m[1] as PolicyList;
    const line = m[2] === undefined ? null : sent[list][Number(m[2])]?.line ?? null;
    const texts = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
    for (const text of texts.length ? texts : ['invalid pattern']) {
      // "allow line 4 \"x\": why" → "why" (the line is shown from the text box's numbering)
      out.push({ list, line, message: text.replace(/^(allow|deny) line \d+ "(?:[^"\\]|\\.)*": /, '') });
    }
  }
  return out;
}
