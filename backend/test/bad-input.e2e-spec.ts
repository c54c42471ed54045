import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/** Bad input of every kind gets a 4xx with the contract's error body, never a 500. */
describe('bad input', () => {
  let t: TestApp;
  let u: TestUser;
  let serverId: string;
  let keyId: string;
  beforeAll(async () => {
    t = await startTestApp();
    u = await registerUser(t);
    serverId = (await createServer(t, u)).id;
    keyId = (await createApiKey(t, u, serverId)).id;
  });
  afterAll(async () => { await t.close(); });

  const expectError = (res: { status: number; body: any }, status: number, what: string) => {
    expect({ what, status: res.status }).toEqual({ what, status });
    expect(res.body).toEqual(expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String), requestId: expect.any(String) }));
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|SELECT|INSERT|QueryFailedError/);
  };

  const bodyRoutes = (): { path: string; method: 'post' | 'put'; valid: Record<string, unknown>; auth: boolean }[] => [
    { method: 'post', path: '/api/v1/auth/register', valid: { email: 'x@example.test', username: 'valid_name', password: 'password123' }, auth: false },
    { method: 'post', path: '/api/v1/auth/login', valid: { username: 'someone', password: 'password123' }, auth: false },
    { method: 'post', path: '/api/v1/auth/refresh', valid: { refreshToken: 'a'.repeat(43) }, auth: false },
    { method: 'post', path: '/api/v1/auth/logout', valid: { refreshToken: 'a'.repeat(43) }, auth: false },
    { method: 'put', path: '/api/v1/auth/me', valid: { fullName: 'Name' }, auth: true },
    { method: 'post', path: '/api/v1/auth/change-password', valid: { currentPassword: 'x', newPassword: 'password123' }, auth: true },
    { method: 'post', path: '/api/v1/servers', valid: { name: 'srv' }, auth: true },
    { method: 'put', path: `/api/v1/servers/${serverId}`, valid: { name: 'srv' }, auth: true },
    { method: 'post', path: '/api/v1/api-keys', valid: { serverId, name: 'k' }, auth: true },
  ];

  const send = (r: ReturnType<typeof bodyRoutes>[number]) => {
    const req = t.http()[r.method](r.path);
    return r.auth ? req.set(u.auth) : req;
  };

  it('rejects unknown fields with 400 and lists them', async () => {
    for (const r of bodyRoutes()) {
      const res = await send(r).send({ ...r.valid, isAdmin: true, role: 'admin' });
      expectError(res, 400, `${r.method} ${r.path}`);
      expect(JSON.stringify(res.body.details)).toContain('isAdmin');
    }
  });

  it('rejects wrong types with 400 and per-field details', async () => {
    for (const r of bodyRoutes()) {
      const wrong = Object.fromEntries(Object.keys(r.valid).map((k) => [k, { nested: [1, 2] }]));
      const res = await send(r).send(wrong);
      if (r.path.endsWith('/auth/me')) {
        expectError(res, 400, `${r.method} ${r.path}`);
        continue;
      }
      expectError(res, 400, `${r.method} ${r.path}`);
      expect(Array.isArray(res.body.details)).toBe(true);
    }
  });

  it('rejects missing required fields with 400', async () => {
    for (const r of bodyRoutes().filter((x) => x.method === 'post' && !x.path.endsWith('change-password') || x.path.endsWith('change-password'))) {
      expectError(await send(r).send({}), 400, `${r.method} ${r.path}`);
    }
  });

  it('rejects malformed JSON with 400 and non-JSON bodies with 400', async () => {
    for (const r of bodyRoutes()) {
      expectError(await send(r).set('Content-Type', 'application/json').send('{"name": '), 400, `malformed ${r.path}`);
      expectError(await send(r).set('Content-Type', 'text/plain').send('name=srv'), 400, `text ${r.path}`);
      expectError(await send(r).set('Content-Type', 'application/json').send('[1,2,3]'), 400, `array ${r.path}`);
    }
  });

  it('rejects a 2 MiB body with 413', async () => {
    const huge = { name: 'x', metadata: { blob: 'a'.repeat(2 * 1024 * 1024) } };
    for (const r of bodyRoutes()) {
      expectError(await send(r).send(huge), 413, `${r.method} ${r.path}`);
    }
  });

  it('rejects malformed UUIDs in paths and queries with 400', async () => {
    const paths: [string, string][] = [
      ['get', '/api/v1/servers/not-a-uuid'], ['put', '/api/v1/servers/123'], ['delete', '/api/v1/servers/%27%3B--'],
      ['get', '/api/v1/api-keys/server/nope'], ['post', '/api/v1/api-keys/nope/deactivate'], ['delete', '/api/v1/api-keys/nope'],
      ['get', '/api/v1/metrics/nope'], ['get', '/api/v1/metrics/nope/history'], ['get', '/api/v1/audit?serverId=nope'],
      ['get', '/api/v1/commands/item/nope'], ['get', '/api/v1/docker/nope/containers'], ['get', '/api/v1/alerts/nope'],
      ['get', '/api/v1/terminal/sessions/nope'], ['delete', '/api/v1/notifications/channels/nope'],
    ];
    for (const [method, path] of paths) {
      const res = await (t.http() as any)[method](path).set(u.auth).send(method === 'put' ? { name: 'x' } : undefined);
      expectError(res, 400, `${method} ${path}`);
      // Every bad id names itself, like any validation failure.
      expect(res.body.details).toEqual([{ field: expect.stringMatching(/^((path|query) )?\w+$/), errors: [expect.any(String)] }]);
    }
  });

  it('rejects bad query values with 400', async () => {
    for (const q of ['limit=0', 'limit=abc', 'limit=100000', 'before=garbage', 'action=DROP%20TABLE']) {
      expectError(await t.http().get(`/api/v1/audit?${q}`).set(u.auth), 400, `audit ${q}`);
    }
    for (const q of ['points=0', 'points=5000', 'start=yesterday', 'start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z']) {
      expectError(await t.http().get(`/api/v1/metrics/${serverId}/history?${q}`).set(u.auth), 400, `history ${q}`);
    }
  });

  it('rejects out-of-range values and oversized metadata', async () => {
    expectError(await t.http().post('/api/v1/servers').set(u.auth).send({ name: 'x', port: 70000 }), 400, 'port');
    expectError(await t.http().post('/api/v1/servers').set(u.auth).send({ name: '' }), 400, 'empty name');
    expectError(await t.http().post('/api/v1/servers').set(u.auth).send({ name: 'x'.repeat(101) }), 400, 'long name');
    expectError(await t.http().post('/api/v1/servers').set(u.auth).send({ name: 'x', metadata: { b: 'a'.repeat(20_000) } }), 400, 'metadata');
    expectError(await t.http().post('/api/v1/api-keys').set(u.auth).send({ serverId, expiresAt: '2001-01-01T00:00:00Z' }), 400, 'past expiry');
    expectError(await t.http().post('/api/v1/auth/register').send({ email: 'no-at-sign', username: 'abc', password: 'password123' }), 400, 'email');
    expectError(await t.http().post('/api/v1/auth/register').send({ email: 'a@b.co', username: 'abc', password: 'short' }), 400, 'short password');
  });

  it('refuses JSON nested deeper than 32 levels with 400 before validating it, with or without a token', async () => {
    const deepArray = '['.repeat(512 * 1024) + ']'.repeat(512 * 1024); // 1 MiB
    const deepObject = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/auth/login', '/api/v1/auth/register']) {
      for (const body of [deepArray, deepObject]) {
        const res = await t.http().post(path).set('Content-Type', 'application/json').send(body);
        expectError(res, 400, `deep ${path}`);
        expect(res.body.message).toMatch(/nested deeper than 32 levels/);
      }
    }
    for (const r of bodyRoutes()) expectError(await send(r).set('Content-Type', 'application/json').send(deepArray), 400, `deep ${r.path}`);
    // Brackets inside strings do not count, and 31 levels of metadata are fine.
    let nested: Record<string, unknown> = { leaf: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' };
    for (let i = 0; i < 30; i++) nested = { n: nested };
    await t.http().post('/api/v1/servers').set(u.auth).send({ name: 'deep-ok', metadata: nested }).expect(201);
  });

  it('refuses NUL characters in any JSON string, key, query value or path parameter with 400 naming the field', async () => {
    const cases: [string, () => ReturnType<typeof send>, string][] = [
      ['login username', () => t.http().post('/api/v1/auth/login').send({ username: 'ad\u0000min', password: 'password123' }), 'username'],
      ['register fullName', () => t.http().post('/api/v1/auth/register').send({ email: 'nul@example.test', username: 'nul_user', password: 'password123', fullName: 'A\u0000B' }), 'fullName'],
      ['profile fullName', () => t.http().put('/api/v1/auth/me').set(u.auth).send({ fullName: 'x\u0000' }), 'fullName'],
      ['server name', () => t.http().post('/api/v1/servers').set(u.auth).send({ name: 'srv\u0000' }), 'name'],
      ['server host', () => t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ host: '\u0000' }), 'host'],
      ['metadata value', () => t.http().post('/api/v1/servers').set(u.auth).send({ name: 'm', metadata: { env: ['prod', 'a\u0000'] } }), 'metadata.env[1]'],
      ['metadata key', () => t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ metadata: { 'k\u0000': 'v' } }), 'metadata (a key)'],
      ['api key name', () => t.http().post('/api/v1/api-keys').set(u.auth).send({ serverId, name: '\u0000' }), 'name'],
      ['query value', () => t.http().get('/api/v1/audit?before=%00').set(u.auth), 'query before'],
      ['path parameter', () => t.http().get('/api/v1/servers/%00').set(u.auth), 'path id'],
    ];
    for (const [what, req, field] of cases) {
      const res = await req();
      expectError(res, 400, what);
      expect({ what, details: res.body.details }).toEqual({ what, details: [{ field, errors: [expect.stringMatching(/NUL/)] }] });
    }
  });

  it('refuses lone UTF-16 surrogates with 400 (they made the email validator throw)', async () => {
    const lone = ['\uD800', 'a\uDC00@example.test', 'x@exa\uDBFFmple.test'];
    for (const email of lone) {
      const reg = await t.http().post('/api/v1/auth/register').send({ email, username: 'surrogate_user', password: 'password123' });
      expectError(reg, 400, `register ${JSON.stringify(email)}`);
      expect(reg.body.details).toEqual([{ field: 'email', errors: [expect.stringMatching(/well-formed/)] }]);
      expectError(await t.http().put('/api/v1/auth/me').set(u.auth).send({ email }), 400, `profile ${JSON.stringify(email)}`);
    }
    // A surrogate pair (an emoji) is fine.
    await t.http().put('/api/v1/auth/me').set(u.auth).send({ fullName: 'Ada 😀' }).expect(200);
  });

  it('refuses null in fields that cannot be null with 400, and still accepts it where null means "clear"', async () => {
    for (const [what, req] of [
      ['profile email', () => t.http().put('/api/v1/auth/me').set(u.auth).send({ email: null })],
      ['server name', () => t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ name: null })],
      ['server metadata', () => t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ metadata: null })],
      ['new server metadata', () => t.http().post('/api/v1/servers').set(u.auth).send({ name: 'x', metadata: null })],
    ] as const) {
      const res = await req();
      expectError(res, 400, what);
      expect(Array.isArray(res.body.details)).toBe(true);
    }
    const cleared = await t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ host: null, port: null }).expect(200);
    expect(cleared.body).toMatchObject({ host: null, port: null });
    const profile = await t.http().put('/api/v1/auth/me').set(u.auth).send({ fullName: null }).expect(200);
    expect(profile.body.fullName).toBeNull();
  });

  it('answers unknown routes and ids with 404 in the contract shape', async () => {
    expectError(await t.http().get('/api/v1/nothing-here').set(u.auth), 404, 'unknown route');
    expectError(await t.http().get('/api/v1/servers/00000000-0000-4000-8000-000000000000').set(u.auth), 404, 'unknown server');
    expectError(await t.http().post(`/api/v1/api-keys/00000000-0000-4000-8000-000000000000/deactivate`).set(u.auth), 404, 'unknown key');
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const res = await t.http().get('/api/v1/servers/not-a-uuid').set(u.auth).set('X-Request-Id', 'trace-123');
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.body.requestId).toBe('trace-123');
    const unsafe = await t.http().get('/health').set('X-Request-Id', '<script>alert(1)</script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('left the stored data intact', async () => {
    const servers = await t.http().get('/api/v1/servers').set(u.auth).expect(200);
    expect(servers.body.map((x: { name: string }) => x.name).sort()).toEqual(['deep-ok', expect.stringMatching(/^srv-/)]);
    expect(servers.body[0].name).not.toBe('pwned');
    const keys = await t.http().get(`/api/v1/api-keys/server/${serverId}`).set(u.auth).expect(200);
    expect(keys.body.map((k: { id: string }) => k.id)).toEqual([keyId]);
  });
});
