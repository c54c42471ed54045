import fc from 'fast-check';

/**
 * Shared generators and settings of the fuzz suites (fuzz-rest, fuzz-sockets): hostile strings
 * (NUL, lone surrogates, huge, injection-shaped), hostile numbers, arbitrary JSON, deep nesting,
 * and values built from a JSON Schema then mutated (wrong types, missing and extra fields, null).
 *
 * Seeded and time-bounded: FUZZ_SEED replays a run (every failure message prints it),
 * FUZZ_SECONDS sets the time per suite (CI default: the suite's own), FUZZ_RUNS caps the runs
 * per property. `npm run bench:fuzz` runs the long mode.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? ((Date.now() ^ (Math.random() * 0x7fffffff)) | 0));
export const fuzzSeconds = (ciDefault: number) => Number(process.env.FUZZ_SECONDS ?? ciDefault);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1_000_000);

/** fast-check parameters for one property within a time budget. */
export function fuzzParams(seedOffset: number, budgetMs: number): fc.Parameters<unknown> {
  return {
    seed: FUZZ_SEED + seedOffset,
    numRuns: FUZZ_RUNS,
    interruptAfterTimeLimit: budgetMs,
    markInterruptAsFailure: false,
    endOnFailure: true, // no shrinking: every failure message carries the whole request already
  };
}

const SPECIAL_STRINGS = [
  '', ' ', '\t\n', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'true', '0', '-1', 'NaN', '1e309',
  "'; DROP TABLE users; --", '" OR "1"="1', '../../../../etc/passwd', '..%2f..%2f', '%00', '%', '%zz', '${jndi:ldap://x/a}',
  '{{7*7}}', '<script>alert(1)</script>', '\u202eevil', '\uFEFFbom', 'ＡＢＣ', '😀', '\u0301', 'a\u0000b', '\u0000',
  '\uD800', '\uDFFF', 'x\uDBFFy', '\uDC00\uD800', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'cok_', 'Bearer', 'admin',
];

/** A string a client should not be able to break anything with. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff })).map(([a, u]) => a + String.fromCharCode(u)) },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 70_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.emailAddress() },
);

/** Numbers JSON can carry, including the awkward ones (NaN and ±Infinity become null in JSON). */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 0.5, 65535, 65536, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER),
);

const nastyKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'isAdmin', 'role', 'ownerId', 'id', 'userId', 'k\u0000', '\uD800', '') },
  { weight: 1, arbitrary: nastyString },
);

/** Any JSON value, of modest size, with hostile leaves. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(nastyKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Raw bodies/frames that are not a plain JSON value: nesting beyond any limit, broken JSON. */
export const nastyJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 33, max: 300_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 33, max: 50_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 33, max: 5_000 }).map((d) => `{"name":"x","metadata":${'{"m":'.repeat(d)}1${'}'.repeat(d)}}`),
  fc.constantFrom('{', '[1,', '{"a":}', 'nul', '"\\ud800"', '{"a":"\\u0000"}', '1e999999', '{"__proto__":{"isAdmin":true}}', '\u0000', ''),
  fc.string({ maxLength: 64 }),
);

export type JsonSchema = {
  $ref?: string; type?: string; format?: string; pattern?: string; enum?: unknown[]; nullable?: boolean;
  minLength?: number; maxLength?: number; minimum?: number; maximum?: number;
  properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; additionalProperties?: boolean | JsonSchema;
  allOf?: JsonSchema[]; oneOf?: JsonSchema[]; anyOf?: JsonSchema[];
};

/** A value that satisfies `schema` (as far as a generator can tell), resolving `$ref`s in `components`. */
export function validFor(schema: JsonSchema | undefined, components: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return nastyValue;
  if (schema.$ref) return validFor(components[schema.$ref.split('/').pop()!], components, depth + 1);
  const variants = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (variants?.length) return fc.oneof(...variants.map((s) => validFor(s, components, depth + 1)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 300) });
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -(2 ** 31)), max: Math.min(schema.maximum ?? 1e6, 2 ** 31 - 1) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validFor(schema.items, components, depth + 1), { maxLength: 4 });
    case 'object': {
      const props = schema.properties ?? {};
      if (!Object.keys(props).length) return fc.dictionary(fc.string({ maxLength: 12 }), nastyValue, { maxKeys: 4 });
      return fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validFor(s, components, depth + 1)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in props) },
      );
    }
    default:
      return nastyValue;
  }
}

/** One change to a JSON value: at a path chosen by indices (taken modulo what is there). */
export interface Mutation { steps: number[]; kind: 'replace' | 'null' | 'drop' | 'extra' | 'wrap' | 'text'; value: unknown; key: string; text: string }
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 4 }),
  kind: fc.constantFrom('replace', 'null', 'drop', 'extra', 'wrap', 'text', 'text'),
  value: nastyValue,
  key: nastyKey,
  text: nastyString,
});

/** Paths to every string in a JSON value. */
function stringPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === 'string') out.push(prefix);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringPaths(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

/** Applies mutations to a deep copy of `value`. */
export function mutate(value: unknown, mutations: readonly Mutation[]): unknown {
  const root = { v: structuredClone(value) as unknown };
  for (const m of mutations) {
    if (m.kind === 'text') {
      // One of the strings, whichever field it is in, becomes a hostile one (NUL, lone surrogate, huge...).
      const paths = stringPaths(root.v, ['v']);
      if (!paths.length) continue;
      const path = paths[m.steps.reduce((a, b) => a + b, 0) % paths.length];
      let node = root as Record<string | number, unknown>;
      for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
      node[path[path.length - 1]] = m.text;
      continue;
    }
    let parent: Record<string | number, unknown> = root;
    let key: string | number = 'v';
    for (const step of m.steps) {
      const node = parent[key];
      if (!node || typeof node !== 'object') break;
      const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (!keys.length) break;
      parent = node as Record<string | number, unknown>;
      key = keys[step % keys.length];
    }
    const target = parent[key];
    if (m.kind === 'replace') parent[key] = m.value;
    else if (m.kind === 'null') parent[key] = null;
    else if (m.kind === 'wrap') parent[key] = [target];
    else if (m.kind === 'drop') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (target && typeof target === 'object' && !Array.isArray(target)) {
      (target as Record<string, unknown>)[m.key] = m.value;
    }
  }
  return root.v;
}

/** A value shaped by `schema`, then (usually) broken a little: what a careless or hostile client sends. */
export function mutatedFor(schema: JsonSchema | undefined, components: Record<string, JsonSchema>): fc.Arbitrary<unknown> {
  return fc.tuple(validFor(schema, components), fc.array(mutation, { maxLength: 3 })).map(([v, ms]) => mutate(v, ms));
}

/** Percent-encodes every UTF-16 unit, lone surrogates included (as the bytes a naive encoder would send). */
export function encodeRaw(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(s[i]);
    }
  }
  return out;
}

/**
 * What must never be in a response: a stack frame, a source path, SQL, driver internals. A match
 * that is an echo of the request itself (a field name a validator repeats) does not count.
 */
const LEAKS = [
  /\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)/,
  /(?:\/[\w.@-]+)+\.(?:ts|js|mjs|cjs)(?::\d+)?/,
  /node_modules|\/work\/|\/home\/|\/usr\/lib\//,
  /\b(?:SELECT [\w*"., ]+ FROM|INSERT INTO|UPDATE "?\w+"? SET|DELETE FROM)\b/,
  /QueryFailedError|TypeORMError|EntityMetadataNotFound|duplicate key value|violates (?:not-null|foreign key|unique|check) constraint|invalid byte sequence|unsupported Unicode escape/,
];
export function leakIn(responseText: string, requestText: string): string | null {
  for (const re of LEAKS) {
    const m = re.exec(responseText);
    if (m && !requestText.includes(m[0])) return m[0];
  }
  return null;
}

/** Printable ASCII only: what an HTTP header value can carry. */
export const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 2000);
