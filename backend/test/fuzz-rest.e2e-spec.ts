import fc from 'fast-check';
import type { AuthResponse } from '@chatops/protocol';
import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';
import {
  encodeRaw, FUZZ_SEED, fuzzParams, fuzzSeconds, headerSafe, JsonSchema, leakIn, mutatedFor, nastyJsonText, nastyNumber,
  nastyString, nastyValue, validFor,
} from './support/fuzz';

/**
 * Every REST operation of the served OpenAPI document, fuzzed with and without a valid token:
 * schema-shaped bodies with wrong types, missing, extra and null fields; NUL, lone surrogates,
 * huge strings and numbers; deep nesting and broken JSON; bad content types; non-UUID, unknown
 * and other users' ids. Any 5xx (but a documented 503/504 with its domain code, e.g. an agent
 * that is not connected), or a body with a stack trace, SQL or a file path, fails the run
 * with its seed and the request. Time-bounded (FUZZ_SECONDS, default 35 s; see support/fuzz.ts).
 */

interface Operation {
  key: string;
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
  /** Statuses the document lists for the operation (a documented 503/504 is a dependency's answer, not a crash). */
  statuses: Set<number>;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Who sends: nobody, Alice (who owns the fixtures), Carol (a user with nothing), or a forged token. */
type Auth = 'none' | 'alice' | 'carol' | 'garbage';

const CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml',
  'application/json; charset=utf-16le', 'application/json; charset=nonsense', 'application/vnd.api+json', '',
];

describe('REST fuzz (OpenAPI-driven)', () => {
  let t: TestApp;
  let alice: TestUser; // the fuzz acts as her, on her own servers and keys and on Bob's
  let carol: TestUser; // and as Carol, who owns nothing
  let bob: TestUser; // the bystander: his ids are aimed at, his data must come out untouched
  let ops: Operation[];
  let components: Record<string, JsonSchema>;
  const ids = { ownServers: [] as string[], otherServers: [] as string[], ownKeys: [] as string[], otherKeys: [] as string[], ownApiKey: '', otherApiKey: '' };
  let bobBefore: unknown;

  /** Bob's rows, compared before and after the run. */
  const bobsRows = async () => ({
    user: (await t.db.query('SELECT email, username, full_name, password_hash, role, password_changed_at FROM users WHERE id = $1', [bob.user.id])).rows,
    servers: (await t.db.query('SELECT id, name, host, port, metadata, updated_at FROM servers WHERE owner_id = $1 ORDER BY id', [bob.user.id])).rows,
    keys: (await t.db.query('SELECT k.id, k.name, k.is_active, k.expires_at FROM api_keys k JOIN servers s ON s.id = k.server_id WHERE s.owner_id = $1 ORDER BY k.id', [bob.user.id])).rows,
    sessions: (await t.db.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [bob.user.id])).rows,
  });

  beforeAll(async () => {
    t = await startTestApp();
    await registerUser(t); // the first user is an admin; the fuzz never acts as one (admins may touch everything)
    alice = await registerUser(t);
    carol = await registerUser(t);
    bob = await registerUser(t);
    for (let i = 0; i < 3; i++) {
      const s = await createServer(t, alice);
      ids.ownServers.push(s.id);
      const k = await createApiKey(t, alice, s.id);
      ids.ownKeys.push(k.id);
      ids.ownApiKey = k.key;
    }
    const s = await createServer(t, bob);
    ids.otherServers.push(s.id);
    const k = await createApiKey(t, bob, s.id);
    ids.otherKeys.push(k.id);
    ids.otherApiKey = k.key;
    bobBefore = await bobsRows();

    const doc = (await t.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, {
        parameters?: { name: string; in: string; schema: JsonSchema }[];
        requestBody?: { content?: Record<string, { schema: JsonSchema }> };
        responses?: Record<string, unknown>;
      }>>;
      components: { schemas: Record<string, JsonSchema> };
    };
    components = doc.components.schemas;
    const order = ['get', 'post', 'put', 'delete']; // deletes last: they remove the fixtures the others aim at
    ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
      body: op.requestBody?.content?.['application/json']?.schema,
      statuses: new Set(Object.keys(op.responses ?? {}).map(Number)),
    }))).sort((a, b) => order.indexOf(a.method.toLowerCase()) - order.indexOf(b.method.toLowerCase()));
  });
  afterAll(async () => { await t?.close(); });

  /** Ids a path parameter gets: own, another user's, unknown, or not an id at all. */
  function idFor(op: Operation, param: string): fc.Arbitrary<string> {
    const keys = op.path.startsWith('/api/v1/api-keys/') && param === 'id';
    const own = keys ? ids.ownKeys : ids.ownServers;
    const other = keys ? ids.otherKeys : ids.otherServers;
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...own) },
      { weight: 2, arbitrary: fc.constantFrom(...other) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: nastyString },
    );
  }

  function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
    const pathValues = fc.tuple(...op.pathParams.map((p) => idFor(op, p)));
    const queryValue = (schema: JsonSchema) => fc.option(fc.oneof(validFor(schema, components).map(String), nastyString, nastyNumber.map(String)), { nil: undefined });
    const query = fc.tuple(
      fc.tuple(...op.query.map((q) => queryValue(q.schema))),
      fc.option(fc.tuple(nastyString, nastyString), { nil: undefined }),
    );
    const bodyText: fc.Arbitrary<string | undefined> = fc.oneof(
      { weight: 5, arbitrary: mutatedFor(op.body, components).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: validFor(op.body, components).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: nastyJsonText },
      { weight: 1, arbitrary: fc.integer({ min: 900_000, max: 1_300_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n) })) },
      { weight: op.body ? 1 : 6, arbitrary: fc.constant(undefined) },
    );
    const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) });
    const auth = fc.constantFrom<Auth>('none', 'alice', 'alice', 'carol', 'garbage');
    const apiKeyHeader = fc.option(fc.oneof(fc.constant(ids.ownApiKey), fc.constant(ids.otherApiKey), nastyString.map(headerSafe)), { nil: undefined });
    const garbageToken = nastyString.map(headerSafe);
    return fc.record({ pathValues, query, bodyText, contentType, auth, apiKeyHeader, garbageToken }).map((r) => {
      let path = op.path;
      op.pathParams.forEach((p, i) => { path = path.replace(`{${p}}`, encodeRaw(r.pathValues[i])); });
      const pairs: [string, string][] = [];
      op.query.forEach((q, i) => { if (r.query[0][i] !== undefined) pairs.push([q.name, r.query[0][i]!]); });
      if (r.query[1]) pairs.push(r.query[1]);
      const qs = pairs.map(([k, v]) => `${encodeRaw(k)}=${encodeRaw(v)}`).join('&');
      const headers: Record<string, string> = {};
      const token = r.auth === 'alice' ? alice.accessToken : r.auth === 'carol' ? carol.accessToken : r.auth === 'garbage' ? r.garbageToken : null;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      if (r.apiKeyHeader !== undefined) headers['X-API-Key'] = r.apiKeyHeader;
      const body = op.method === 'GET' ? undefined : r.bodyText;
      if (body !== undefined && r.contentType) headers['Content-Type'] = r.contentType;
      return { method: op.method, url: `${t.baseUrl}${path}${qs ? `?${qs}` : ''}`, headers, body };
    });
  }

  /** The request as a failure message shows it (tokens masked, long bodies cut). */
  const describeRequest = (r: FuzzRequest) => JSON.stringify({
    method: r.method,
    url: r.url.slice(t.baseUrl.length, t.baseUrl.length + 500),
    headers: { ...r.headers, ...(r.headers.Authorization ? { Authorization: '[token]' } : {}) },
    body: r.body && r.body.length > 600 ? `${r.body.slice(0, 600)}… (${r.body.length} chars)` : r.body,
  });

  async function check(op: Operation, r: FuzzRequest, counts: Map<number, number>): Promise<void> {
    const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
    const text = await res.text();
    counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    const fail = (why: string) => {
      throw new Error(`${why}\n  request:  ${describeRequest(r)}\n  response: ${res.status} ${text.slice(0, 500)}\n  replay:   FUZZ_SEED=${FUZZ_SEED}`);
    };
    // A 5xx fails, except one the operation documents, with a domain code (e.g. 503 agent.not_connected).
    if (res.status >= 500 && !(op.statuses.has(res.status) && res.status !== 500 && /"code":"[a-z_]+\.[a-z_.]+"/.test(text))) {
      fail('a 5xx for client input');
    }
    // Node's HTTP parser answers 431 itself (headers or URL over 16 KiB), before the application.
    if (res.status === 431 && !text) return;
    const leak = leakIn(text, decodeURIComponentSafe(r.url) + (r.body ?? ''));
    if (leak) fail(`the response leaks internals: ${JSON.stringify(leak)}`);
    if (res.status >= 400 && new URL(r.url).pathname.startsWith('/api/')) {
      let body: { statusCode?: unknown; message?: unknown; requestId?: unknown } = {};
      try { body = JSON.parse(text); } catch { fail('an error body that is not JSON'); }
      if (body.statusCode !== res.status || typeof body.message !== 'string' || typeof body.requestId !== 'string') fail('an error body without the contract shape');
    }
  }

  const MIN_RUNS_PER_OPERATION = 5;

  it('answers every operation without a 5xx or a leak, whatever the input', async () => {
    const budgetMs = (fuzzSeconds(35) * 1000) / ops.length;
    const failures: string[] = [];
    const summary: string[] = [];
    const started = Date.now();
    let total = 0;
    for (const [i, op] of ops.entries()) {
      const counts = new Map<number, number>();
      let failure: string | null = null;
      const property = fc.asyncProperty(requestFor(op), async (r) => {
        try {
          await check(op, r, counts);
        } catch (err) {
          failure = (err as Error).message;
          throw err;
        }
      });
      try {
        // A few requests whatever the clock says (on a loaded machine one request can outlast an
        // operation's slice of the budget), then as many as the slice allows.
        await fc.assert(property, { ...fuzzParams(i, budgetMs), numRuns: MIN_RUNS_PER_OPERATION, interruptAfterTimeLimit: undefined });
        await fc.assert(property, fuzzParams(i + ops.length, budgetMs));
      } catch (err) {
        // An interrupt is the time budget running out, not a failure (the minimum ran already).
        const interrupted = failure === null && /Property interrupted after/.test((err as Error).message);
        // fast-check's own report repeats the whole generated request; ours is shorter and masks tokens.
        if (!interrupted) failures.push(`${op.key}: ${failure ?? (err as Error).message.slice(0, 2000)}`);
      }
      const runs = [...counts.values()].reduce((a, b) => a + b, 0);
      total += runs;
      summary.push(`${op.key}: ${runs} (${[...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')})`);
    }
    // One line for the log: how much was tried (the figure bench/README.md quotes).
    process.stdout.write(`REST fuzz: ${total} requests over ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${FUZZ_SEED}\n  ${summary.join('\n  ')}\n`);
    expect(failures).toEqual([]);
    expect(ops.length).toBeGreaterThanOrEqual(20);
    expect(total).toBeGreaterThan(ops.length * 5);
  }, fuzzSeconds(35) * 1000 + 60_000);

  it('still serves well-behaved requests afterwards, and left another user\'s data untouched', async () => {
    await t.http().get('/health').expect(200);
    const login = await t.http().post('/api/v1/auth/login').send({ username: bob.user.username, password: bob.password }).expect(200);
    const bobAuth = { Authorization: `Bearer ${(login.body as AuthResponse).accessToken}` };
    const listed = await t.http().get('/api/v1/servers').set(bobAuth).expect(200);
    expect(listed.body.map((s: { id: string }) => s.id)).toEqual(ids.otherServers);
    const created = await t.http().post('/api/v1/servers').set(bobAuth).send({ name: 'after-fuzz', metadata: { ok: true } }).expect(201);
    await t.http().get(`/api/v1/servers/${created.body.id}`).set(bobAuth).expect(200);
    await t.http().delete(`/api/v1/servers/${created.body.id}`).set(bobAuth).expect(204);
    // The login above added a session; everything else of Bob's is as it was.
    const after = await bobsRows();
    expect({ ...after, sessions: undefined }).toEqual({ ...(bobBefore as object), sessions: undefined });
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
