import fc from 'fast-check';
import { findTextIssue, jsonDepthExceeds, MAX_JSON_DEPTH, textProblem } from './json-input';

/** The depth JSON.parse would build, measured on the parsed value (the reference). */
function parsedDepth(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  const children = Object.values(value as object);
  return 1 + (children.length ? Math.max(...children.map(parsedDepth)) : 0);
}

describe('jsonDepthExceeds', () => {
  const both = (text: string, max = MAX_JSON_DEPTH) => [jsonDepthExceeds(text, max), jsonDepthExceeds(Buffer.from(text), max)];

  it('refuses one level past the limit, for strings and UTF-8 bytes alike', () => {
    const nest = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(both(nest(MAX_JSON_DEPTH))).toEqual([false, false]);
    expect(both(nest(MAX_JSON_DEPTH + 1))).toEqual([true, true]);
    expect(both('{"a":'.repeat(33) + '1' + '}'.repeat(33))).toEqual([true, true]);
    expect(both('['.repeat(512 * 1024) + ']'.repeat(512 * 1024))).toEqual([true, true]);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[', c: '\\\\', d: '"{{{{{{' + '['.repeat(50) });
    expect(both(inString)).toEqual([false, false]);
    expect(both(JSON.stringify(['x\\', '['.repeat(40)]))).toEqual([false, false]);
    expect(both(`["ü😀${'['.repeat(40)}"]`)).toEqual([false, false]);
  });

  it('agrees with the depth of the parsed value, for any JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 6 }), (value, max) => {
      const text = JSON.stringify(value);
      const expected = parsedDepth(JSON.parse(text)) > max;
      expect(both(text, max)).toEqual([expected, expected]);
    }), { numRuns: 2000 });
  });
});

describe('text rules', () => {
  it('refuses NUL and lone surrogates, accepts other text', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('\uD800')).toMatch(/well-formed/);
    expect(textProblem('x\uDC00')).toMatch(/well-formed/);
    for (const ok of ['', 'plain', '😀', '\u0001\u007f\uFFFD', 'ü']) expect(textProblem(ok)).toBeNull();
  });

  it('names the first bad string by its path, and a bad key by its position without echoing it', () => {
    expect(findTextIssue({ name: 'ok', metadata: { env: ['prod', 'a\u0000'] } })).toEqual({ field: 'metadata.env[1]', problem: expect.stringMatching(/NUL/) });
    expect(findTextIssue({ metadata: { 'k\u0000': 'v' } })).toEqual({ field: 'metadata (a key)', problem: expect.stringMatching(/NUL/) });
    expect(findTextIssue('\uD800', 'id')).toEqual({ field: 'id', problem: expect.stringMatching(/well-formed/) });
    expect(findTextIssue({ a: [1, null, true, { b: 'fine' }] })).toBeNull();
  });
});
