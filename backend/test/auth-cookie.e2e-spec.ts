import type { Response } from 'supertest';
import { registerUser, startTestApp, TestApp } from './support/app';

/**
 * Browser sessions: the refresh token as an HttpOnly cookie (cookie mode, `X-ChatOps-Refresh: 1`),
 * accepted by refresh and logout only together with that header; API clients keep the body flow.
 */
const HEADER = 'X-ChatOps-Refresh';

interface SetCookie { name: string; value: string; attrs: Record<string, string | true> }

/** The `chatops_refresh` Set-Cookie of a response, parsed; null when there is none. */
function refreshCookie(res: Response): SetCookie | null {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = raw?.find((c) => c.startsWith('chatops_refresh='));
  if (!line) return null;
  const [pair, ...attrs] = line.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    attrs: Object.fromEntries(attrs.map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a.toLowerCase(), true] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    })),
  };
}

describe('refresh token cookie', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t.close(); });

  const cookieHeader = (value: string) => `chatops_refresh=${value}`;
  const refreshWithCookie = (value: string, header = true) => {
    const req = t.http().post('/api/v1/auth/refresh').set('Cookie', cookieHeader(value));
    return header ? req.set(HEADER, '1') : req;
  };

  /** Signs in in cookie mode; returns the access token and the cookie value. */
  async function browserLogin(): Promise<{ username: string; password: string; accessToken: string; cookie: string }> {
    const u = await registerUser(t);
    const res = await t.http().post('/api/v1/auth/login').set(HEADER, '1').send({ username: u.user.username, password: u.password }).expect(200);
    const cookie = refreshCookie(res);
    expect(cookie).not.toBeNull();
    return { username: u.user.username, password: u.password, accessToken: res.body.accessToken, cookie: cookie!.value };
  }

  it('in cookie mode sets an HttpOnly, Secure, SameSite=Strict cookie on the auth path and keeps the token out of the body', async () => {
    const u = await registerUser(t);
    for (const res of [
      await t.http().post('/api/v1/auth/login').set(HEADER, '1').send({ username: u.user.username, password: u.password }),
      await t.http().post('/api/v1/auth/register').set(HEADER, '1').send({ username: `c_${Date.now()}`, email: `c${Date.now()}@example.test`, password: 'long enough pw' }),
    ]) {
      expect(res.status).toBeLessThan(300);
      const cookie = refreshCookie(res)!;
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attrs).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/api/v1/auth', 'max-age': '604800' });
      expect(cookie.attrs.domain).toBeUndefined(); // host-only
      expect(res.body).not.toHaveProperty('refreshToken');
      expect(JSON.stringify(res.body)).not.toContain(cookie.value);
      expect(res.body).toMatchObject({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 1800 });
    }
  });

  it('without the header keeps the contract: the refresh token in the body, no cookie', async () => {
    const u = await registerUser(t);
    expect(u.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const login = await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(200);
    expect(refreshCookie(login)).toBeNull();
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    expect(refreshed.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshCookie(refreshed)).toBeNull();
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: refreshed.body.refreshToken }).expect(204);
  });

  it('refuses the cookie without the header (403) and leaves the session intact; with the header it rotates', async () => {
    const s = await browserLogin();
    const refused = await refreshWithCookie(s.cookie, false);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ statusCode: 403, code: 'auth.refresh_header_required', requestId: expect.any(String) });
    expect(refreshCookie(refused)).toBeNull();

    const ok = await refreshWithCookie(s.cookie).expect(200);
    const rotated = refreshCookie(ok)!;
    expect(rotated.value).not.toBe(s.cookie);
    expect(ok.body).not.toHaveProperty('refreshToken');
    expect(ok.headers['cache-control']).toBe('no-store');
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${ok.body.accessToken}`).expect(200);
    await refreshWithCookie(rotated.value).expect(200);
  });

  it('refuses what a cross-site page can send: a form or a no-cors fetch with the cookie but no custom header', async () => {
    const s = await browserLogin();
    const crossSite = (contentType: string, body: string) =>
      t.http().post('/api/v1/auth/refresh')
        .set('Cookie', cookieHeader(s.cookie))
        .set('Origin', 'https://evil.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Content-Type', contentType)
        .send(body);
    expect((await crossSite('text/plain', '')).status).toBe(403);
    expect((await crossSite('application/x-www-form-urlencoded', 'refreshToken=x')).status).toBeGreaterThanOrEqual(400);
    const logout = await t.http().post('/api/v1/auth/logout').set('Cookie', cookieHeader(s.cookie)).set('Origin', 'https://evil.example');
    expect(logout.status).toBe(403);
    // Adding the header needs a CORS preflight, which a foreign origin does not pass.
    const pre = await t.http().options('/api/v1/auth/refresh').set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', HEADER.toLowerCase());
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    // none of it ended or rotated the session
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${s.accessToken}`).expect(200);
    await refreshWithCookie(s.cookie).expect(200);
  });

  it('a used cookie is reuse: 401, the family is revoked and the cookie cleared', async () => {
    const s = await browserLogin();
    const next = refreshCookie(await refreshWithCookie(s.cookie).expect(200))!.value;
    const reuse = await refreshWithCookie(s.cookie);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('auth.refresh_token_reused');
    const cleared = refreshCookie(reuse)!;
    expect(cleared.value).toBe('');
    expect(new Date(String(cleared.attrs.expires)).getTime()).toBeLessThan(Date.now());
    expect(cleared.attrs).toMatchObject({ path: '/api/v1/auth', httponly: true, samesite: 'Strict' });
    await refreshWithCookie(next).expect(401);
  });

  it('with the header but no cookie: refresh is 401, logout is a harmless 204', async () => {
    const refresh = await t.http().post('/api/v1/auth/refresh').set(HEADER, '1');
    expect(refresh.status).toBe(401);
    expect(refresh.body.code).toBe('auth.missing_refresh_token');
    await t.http().post('/api/v1/auth/logout').set(HEADER, '1').expect(204);
  });

  it('logout with the cookie and header revokes the session and clears the cookie', async () => {
    const s = await browserLogin();
    const out = await t.http().post('/api/v1/auth/logout').set('Cookie', cookieHeader(s.cookie)).set(HEADER, '1').expect(204);
    const cleared = refreshCookie(out)!;
    expect(cleared.value).toBe('');
    expect(new Date(String(cleared.attrs.expires)).getTime()).toBeLessThan(Date.now());
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${s.accessToken}`).expect(401);
    await refreshWithCookie(s.cookie).expect(401);
  });

  it('change-password in cookie mode rotates the cookie: the old one stops working, the new one works', async () => {
    const s = await browserLogin();
    const changed = await t.http().post('/api/v1/auth/change-password').set(HEADER, '1')
      .set('Authorization', `Bearer ${s.accessToken}`)
      .send({ currentPassword: s.password, newPassword: 'an entirely new passphrase' })
      .expect(200);
    expect(changed.body).not.toHaveProperty('refreshToken');
    const fresh = refreshCookie(changed)!;
    expect(fresh.attrs).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/api/v1/auth' });
    await refreshWithCookie(s.cookie).expect(401);
    await refreshWithCookie(fresh.value).expect(200);
  });
});

describe('refresh token cookie with COOKIE_SECURE=false', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp({ COOKIE_SECURE: 'false' }); });
  afterAll(async () => { await t.close(); });

  it('leaves out Secure (plain-HTTP installs on a trusted network) and keeps the rest', async () => {
    const u = await registerUser(t);
    const res = await t.http().post('/api/v1/auth/login').set(HEADER, '1').send({ username: u.user.username, password: u.password }).expect(200);
    const cookie = refreshCookie(res)!;
    expect(cookie.attrs.secure).toBeUndefined();
    expect(cookie.attrs).toMatchObject({ httponly: true, samesite: 'Strict', path: '/api/v1/auth' });
  });
});
