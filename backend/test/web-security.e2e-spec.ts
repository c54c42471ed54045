import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/** The HTTP hardening docs/security.md promises: security headers, CORS, no caching of secrets. */

/** `default-src 'self'; img-src 'self' data:` → { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'] } */
function parseCsp(header: string | undefined): Record<string, string[]> {
  expect(header).toBeDefined();
  return Object.fromEntries(
    header!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name.toLowerCase(), sources];
    }),
  );
}

describe('HTTP security headers', () => {
  let t: TestApp;
  let u: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    u = await registerUser(t);
  });
  afterAll(async () => { await t.close(); });

  it.each([
    ['an API response', '/api/v1/auth/me'],
    ['an API error', '/api/v1/servers/not-a-uuid'],
    ['the health check', '/health'],
    ['Swagger UI', '/api/docs/'],
  ])('sends the strict policy on %s', async (_what, path) => {
    const res = await t.http().get(path).set(u.auth);
    const csp = parseCsp(res.headers['content-security-policy']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]); // no 'unsafe-eval', no inline
    expect(csp['script-src-attr']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(["'self'"]); // no ws:/wss: to any host
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'self'"]);
    expect(csp['form-action']).toEqual(["'self'"]);
    expect(csp['img-src']).toEqual(["'self'", 'data:']);
    for (const sources of Object.values(csp)) {
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain('*');
    }
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8,}; includeSubDomains/);
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sends Cache-Control: no-store and Pragma: no-cache with every token and API key', async () => {
    const server = await createServer(t, u);
    const fresh = `nostore_${Date.now()}`;
    const responses = {
      register: await t.http().post('/api/v1/auth/register').send({ username: fresh, email: `${fresh}@example.test`, password: 'long enough pw' }),
      login: await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }),
      refresh: await t.http().post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken }),
      apiKey: await t.http().post('/api/v1/api-keys').set(u.auth).send({ serverId: server.id }),
    };
    const changed = await t.http().post('/api/v1/auth/change-password').set(u.auth)
      .send({ currentPassword: u.password, newPassword: 'a brand new password' });
    for (const [what, res] of Object.entries({ ...responses, changePassword: changed })) {
      expect({ what, status: res.status < 300 }).toEqual({ what, status: true });
      expect({ what, cacheControl: res.headers['cache-control'] }).toEqual({ what, cacheControl: 'no-store' });
      expect({ what, pragma: res.headers.pragma }).toEqual({ what, pragma: 'no-cache' });
    }
  });
});

describe('CORS', () => {
  const preflight = (t: TestApp, origin: string) =>
    t.http().options('/api/v1/auth/refresh')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-chatops-refresh');

  describe('without CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => { t = await startTestApp(); });
    afterAll(async () => { await t.close(); });

    it('allows no foreign origin: no Access-Control-Allow-* on requests or preflights', async () => {
      const get = await t.http().get('/health').set('Origin', 'https://evil.example');
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
      expect(get.headers['access-control-allow-credentials']).toBeUndefined();
      const pre = await preflight(t, 'https://evil.example');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.headers['access-control-allow-headers']).toBeUndefined();
    });
  });

  describe('with CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => { t = await startTestApp({ CORS_ORIGINS: 'https://dash.example, https://ops.example' }); });
    afterAll(async () => { await t.close(); });

    it('allows exactly the configured origins, with credentials', async () => {
      const get = await t.http().get('/health').set('Origin', 'https://ops.example');
      expect(get.headers['access-control-allow-origin']).toBe('https://ops.example');
      expect(get.headers['access-control-allow-credentials']).toBe('true');
      const pre = await preflight(t, 'https://dash.example');
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers['access-control-allow-origin']).toBe('https://dash.example');
      expect(pre.headers['access-control-allow-headers']).toMatch(/x-chatops-refresh/i);
      const other = await preflight(t, 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
