/**
 * Whitespace-separated fields of one line of a /proc file, found without split() or regexes:
 * the collectors parse a few files every tick, and what they allocate is young-generation garbage.
 */

/** Start/end offsets of the fields found by `scanFields` (reused; valid until the next call). */
export const fieldStart = new Int32Array(32);
export const fieldEnd = new Int32Array(32);

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 11 || c === 12 || c === 13;

/**
 * Offsets of the whitespace-separated fields of text[from, to) (at most `max`, ≤ 32) into
 * fieldStart/fieldEnd; returns how many fields were found (counting stops at `max`).
 */
export function scanFields(text: string, from: number, to: number, max: number): number {
  let n = 0;
  let i = from;
  while (n < max) {
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (i >= to) break;
    fieldStart[n] = i;
    while (i < to && !isSpace(text.charCodeAt(i))) i++;
    fieldEnd[n] = i;
    n++;
  }
  return n;
}

/** Number(field k) of the last scanFields, by digits when it is a plain decimal (NaN like Number() otherwise). */
export function fieldNumber(text: string, k: number): number {
  const a = fieldStart[k];
  const b = fieldEnd[k];
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(text.slice(a, b));
    v = v * 10 + d;
  }
  return b - a > 15 ? Number(text.slice(a, b)) : v; // beyond 2^53: let Number() round it the same way
}

/** The text of field k of the last scanFields. */
export function fieldText(text: string, k: number): string {
  return text.slice(fieldStart[k], fieldEnd[k]);
}
