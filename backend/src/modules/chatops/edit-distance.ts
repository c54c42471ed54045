/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive:
 * "stauts" is one edit from "status", "web1" one from "web-1". Stops early once every cell of a
 * row exceeds `max` (the answer is then `max + 1`), so comparing against many names stays cheap.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidates closest to `word` (at most `limit`, nearest first): within a third of its length
 * in edits (at least 1, at most 3), or starting with it. Case-insensitive; duplicates collapse.
 */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  if (!word) return [];
  const max = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const lower = word.toLowerCase();
  const scored = new Map<string, number>();
  for (const c of candidates) {
    if (scored.has(c)) continue;
    const d = editDistance(word, c, max);
    if (d <= max) scored.set(c, d);
    else if (lower.length >= 2 && c.toLowerCase().startsWith(lower)) scored.set(c, max + 1);
  }
  return [...scored.entries()]
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, limit)
    .map(([c]) => c);
}
