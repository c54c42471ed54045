import { Logger } from '@nestjs/common';
import { findFreePort as freePort } from '../src/database/embedded-postgres';
import { OidcStateSealer } from '../src/modules/auth/oidc/oidc-state';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { CookieJar, get, signInUpToCallback } from './support/oidc-browser';
import { startOidcProvider, TestOidcProvider } from './support/oidc-provider';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider) over HTTP: the code flow
 * with PKCE, account creation and reuse by (issuer, subject), the claim-to-role mapping, and every
 * way a callback can be wrong answered with a redirect to the sign-in page, never a 500.
 */
const CALLBACK = '/api/v1/auth/oidc/callback';

const USERS = {
  'alice-sub': { email: 'alice@corp.test', email_verified: true, name: 'Alice Ops', preferred_username: 'alice', groups: ['ops-admins'] },
  'bob-sub': { email: 'bob@corp.test', email_verified: true, name: 'Bob', preferred_username: 'bob', groups: ['devs'] },
  'carol-sub': { email: 'carol@corp.test', email_verified: false, preferred_username: 'carol', groups: [] },
  'dave-sub': { email: 'dave@corp.test', email_verified: true, preferred_username: 'dave', groups: [] },
  'erin-sub': { email: 'erin@corp.test', email_verified: true, preferred_username: 'erin', groups: [] },
};

async function startWithProvider(env: Record<string, string> = {}): Promise<{ t: TestApp; provider: TestOidcProvider }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const provider = await startOidcProvider({ redirectUri: `${baseUrl}${CALLBACK}`, users: USERS });
  const t = await startTestApp({
    PORT: String(port),
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_REDIRECT_URI: `${baseUrl}${CALLBACK}`,
    OIDC_ALLOW_HTTP: 'true',
    OIDC_ADMIN_GROUPS: 'ops-admins',
    OIDC_BUTTON_LABEL: 'Sign in with Corp SSO',
    ...env,
  });
  return { t, provider };
}

/** Completes a sign-in whose callback URL is known; answers the callback's redirect and the session it left. */
async function finish(jar: CookieJar, callbackUrl: string) {
  const res = await get(callbackUrl, jar);
  const location = res.headers.get('location');
  const refreshCookie = jar.get('chatops_refresh');
  return { status: res.status, location, refreshCookie };
}

async function sessionFromCookie(t: TestApp, refreshCookie: string) {
  const res = await fetch(`${t.baseUrl}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { cookie: `chatops_refresh=${refreshCookie}`, 'X-ChatOps-Refresh': '1', 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { accessToken: string; user: { id: string; username: string; email: string; role: string; fullName: string | null } };
}

describe('OpenID Connect sign-in', () => {
  let t: TestApp;
  let provider: TestOidcProvider;
  let admin: TestUser;
  beforeAll(async () => {
    ({ t, provider } = await startWithProvider());
    admin = await registerUser(t, { username: 'first_local', email: 'first@local.test' }); // the instance's first (admin) account
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });
  beforeEach(async () => {
    await provider.deny(false);
    await provider.loginAs('bob-sub');
  });

  it('tells the sign-in page that single sign-on is on, with its label', async () => {
    const res = await t.http().get('/api/v1/auth/oidc/config').expect(200);
    expect(res.body).toEqual({ oidcEnabled: true, oidcButtonLabel: 'Sign in with Corp SSO', localLogin: true });
  });

  it('sends the browser to the provider with state, nonce and a PKCE S256 challenge in a sealed HttpOnly cookie', async () => {
    const res = await t.http().get('/api/v1/auth/oidc/login?returnTo=/servers').expect(302);
    const url = new URL(res.headers.location);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('client_id')).toBe(provider.clientId);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('chatops_oidc='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth\/oidc/);
    // The verifier is not readable from the cookie.
    const opened = new OidcStateSealer(t.config.jwtSecret).open(decodeURIComponent(cookie.split(';')[0].slice('chatops_oidc='.length)));
    expect(opened?.state).toBe(url.searchParams.get('state'));
    expect(cookie).not.toContain(opened!.codeVerifier);
    expect(opened!.returnTo).toBe('/servers');
  });

  it('signs a new person in: creates the account, maps the admin group to the admin role, audits it, lands on returnTo', async () => {
    await provider.loginAs('alice-sub');
    const jar = new CookieJar();
    const callback = await signInUpToCallback(t.baseUrl, jar, '/api/v1/auth/oidc/login?returnTo=%2Fservers%2Fabc');
    const done = await finish(jar, callback);
    expect(done.status).toBe(302);
    expect(done.location).toBe('/servers/abc');
    expect(callback).not.toContain('accessToken');
    expect(done.refreshCookie).toBeTruthy();
    expect(jar.get('chatops_oidc')).toBeUndefined(); // one attempt per state cookie
    const session = await sessionFromCookie(t, done.refreshCookie!);
    expect(session.user).toMatchObject({ username: 'alice', email: 'alice@corp.test', fullName: 'Alice Ops', role: 'admin' });
    const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(me.body.id).toBe(session.user.id);
    const identity = await t.db.query('SELECT issuer, subject FROM user_identities WHERE user_id = $1', [session.user.id]);
    expect(identity.rows).toEqual([{ issuer: provider.issuer, subject: 'alice-sub' }]);
    const audit = await t.db.query(`SELECT action, description, success FROM audit_logs WHERE user_id = $1 ORDER BY created_at`, [session.user.id]);
    expect(audit.rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'auth.register', success: true }),
      expect.objectContaining({ action: 'auth.login', description: expect.stringContaining('single sign-on'), success: true }),
    ]));
    // A password login is impossible for an account made by single sign-on.
    await t.http().post('/api/v1/auth/login').send({ username: 'alice', password: '!oidc' }).expect(401);
  });

  it('signs the same identity into the same account next time, and a non-admin group gives the user role', async () => {
    const jarA = new CookieJar();
    const a = await finish(jarA, await signInUpToCallback(t.baseUrl, jarA));
    const jarB = new CookieJar();
    const b = await finish(jarB, await signInUpToCallback(t.baseUrl, jarB));
    const [sa, sb] = [await sessionFromCookie(t, a.refreshCookie!), await sessionFromCookie(t, b.refreshCookie!)];
    expect(sa.user.id).toBe(sb.user.id);
    expect(sa.user).toMatchObject({ username: 'bob', role: 'user' });
    const count = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = 'bob@corp.test'`);
    expect(count.rows[0].n).toBe(1);
  });

  it('refuses a callback whose state does not match, and one without the state cookie', async () => {
    const jar = new CookieJar();
    const callback = new URL(await signInUpToCallback(t.baseUrl, jar));
    callback.searchParams.set('state', 'forged-state');
    const tampered = await finish(jar, callback.href);
    expect(tampered).toMatchObject({ status: 302, location: '/login?oidcError=oidc.state_invalid' });
    expect(tampered.refreshCookie).toBeUndefined();

    const jar2 = new CookieJar();
    const callback2 = await signInUpToCallback(t.baseUrl, jar2);
    const noCookie = await finish(new CookieJar(), callback2);
    expect(noCookie).toMatchObject({ status: 302, location: '/login?oidcError=oidc.state_invalid' });

    const garbage = new CookieJar();
    garbage.set('chatops_oidc', 'not-a-sealed-value');
    expect(await finish(garbage, `${t.baseUrl}${CALLBACK}?code=x&state=y`)).toMatchObject({ status: 302, location: '/login?oidcError=oidc.state_invalid' });

    const failures = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.login' AND success = false AND description LIKE '%oidc.state_invalid%'`);
    expect(failures.rows[0].n).toBeGreaterThanOrEqual(3);
  });

  it('refuses a replayed authorization code (the provider rejects its second use)', async () => {
    const jar = new CookieJar();
    const callback = await signInUpToCallback(t.baseUrl, jar);
    const stateCookie = jar.get('chatops_oidc')!;
    const first = await finish(jar, callback);
    expect(first.location).toBe('/');
    const replayJar = new CookieJar();
    replayJar.set('chatops_oidc', stateCookie); // an attacker who kept the cookie too
    const replay = await finish(replayJar, callback);
    expect(replay).toMatchObject({ status: 302, location: '/login?oidcError=oidc.exchange_failed' });
    expect(replay.refreshCookie).toBeUndefined();
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const jar = new CookieJar();
    const callback = await signInUpToCallback(t.baseUrl, jar);
    const sealer = new OidcStateSealer(t.config.jwtSecret);
    const pending = sealer.open(decodeURIComponent(jar.get('chatops_oidc')!))!;
    jar.set('chatops_oidc', sealer.seal({ ...pending, nonce: 'another-nonce' }));
    const res = await finish(jar, callback);
    expect(res).toMatchObject({ status: 302, location: '/login?oidcError=oidc.exchange_failed' });
    expect(res.refreshCookie).toBeUndefined();
  });

  it('answers a person who declines at the provider with oidc.denied', async () => {
    await provider.deny(true);
    const jar = new CookieJar();
    const res = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    expect(res).toMatchObject({ status: 302, location: '/login?oidcError=oidc.denied' });
  });

  it('does not take over a local account with the same email (linking by verified email is off by default)', async () => {
    const local = await registerUser(t, { username: 'carol_local', email: 'carol@corp.test' });
    await provider.loginAs('carol-sub');
    const jar = new CookieJar();
    const res = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    expect(res).toMatchObject({ status: 302, location: '/login?oidcError=oidc.email_in_use' });
    const linked = await t.db.query('SELECT count(*)::int AS n FROM user_identities WHERE user_id = $1', [local.user.id]);
    expect(linked.rows[0].n).toBe(0);
  });

  it('refuses an account an admin disabled with oidc.account_disabled, audited, and signs it in again once enabled', async () => {
    await provider.loginAs('dave-sub');
    const first = new CookieJar();
    const dave = (await sessionFromCookie(t, (await finish(first, await signInUpToCallback(t.baseUrl, first))).refreshCookie!)).user;
    await t.http().post(`/api/v1/admin/users/${dave.id}/disable`).set(admin.auth).expect(200);

    const jar = new CookieJar();
    const res = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    expect(res).toMatchObject({ status: 302, location: '/login?oidcError=oidc.account_disabled' });
    expect(res.refreshCookie).toBeUndefined();
    const refused = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1 AND action = 'auth.login' AND success = false`, [dave.id]);
    expect(refused.rows[0].n).toBe(1);

    await t.http().post(`/api/v1/admin/users/${dave.id}/enable`).set(admin.auth).expect(200);
    const again = new CookieJar();
    const back = await finish(again, await signInUpToCallback(t.baseUrl, again));
    expect((await sessionFromCookie(t, back.refreshCookie!)).user.id).toBe(dave.id);
  });

  it('creates no account while registration is invite-only (oidc.registration_closed), but signs existing accounts in', async () => {
    await t.http().put('/api/v1/admin/registration').set(admin.auth).send({ mode: 'invite' }).expect(200);
    try {
      await provider.loginAs('erin-sub');
      const jar = new CookieJar();
      expect(await finish(jar, await signInUpToCallback(t.baseUrl, jar))).toMatchObject({ status: 302, location: '/login?oidcError=oidc.registration_closed' });
      const erin = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = 'erin@corp.test'`);
      expect(erin.rows[0].n).toBe(0);

      await provider.loginAs('bob-sub'); // bob's account exists since an earlier sign-in
      const bobJar = new CookieJar();
      const bob = await finish(bobJar, await signInUpToCallback(t.baseUrl, bobJar));
      expect(bob.location).toBe('/');
      expect((await sessionFromCookie(t, bob.refreshCookie!)).user.username).toBe('bob');
    } finally {
      await t.http().put('/api/v1/admin/registration').set(admin.auth).send({ mode: 'open' }).expect(200);
    }
  });

  it('answers bad input to the login route with 400, never a 500', async () => {
    for (const bad of ['//evil.test/x', 'https://evil.test/', '/\\evil.test']) {
      const res = await t.http().get('/api/v1/auth/oidc/login').query({ returnTo: bad }).expect(400);
      expect(res.body.details[0].field).toBe('returnTo');
    }
    await t.http().get('/api/v1/auth/oidc/login?unknown=1').expect(400);
    await t.http().get('/api/v1/auth/oidc/config?unknown=1').expect(400);
    const cb = await t.http().get(`${CALLBACK}?code[$ne]=1&state=%00`).expect(302);
    expect(cb.headers.location).toBe('/login?oidcError=oidc.state_invalid');
  });
});

describe('OpenID Connect linking by verified email (OIDC_LINK_VERIFIED_EMAIL=true)', () => {
  let t: TestApp;
  let provider: TestOidcProvider;
  beforeAll(async () => { ({ t, provider } = await startWithProvider({ OIDC_LINK_VERIFIED_EMAIL: 'true' })); });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  it('links a verified email to the local account, and never an unverified one', async () => {
    const bobLocal = await registerUser(t, { username: 'bob_local', email: 'BOB@corp.test' });
    await provider.loginAs('bob-sub');
    const jar = new CookieJar();
    const res = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    expect(res.location).toBe('/');
    expect((await sessionFromCookie(t, res.refreshCookie!)).user.id).toBe(bobLocal.user.id);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1 AND action = 'auth.identity_link'`, [bobLocal.user.id]);
    expect(audit.rows[0].n).toBe(1);

    await registerUser(t, { username: 'carol_local', email: 'carol@corp.test' });
    await provider.loginAs('carol-sub'); // email_verified: false
    const jar2 = new CookieJar();
    expect((await finish(jar2, await signInUpToCallback(t.baseUrl, jar2))).location).toBe('/login?oidcError=oidc.email_in_use');
  });
});

describe('OpenID Connect with the provider down, and LOCAL_LOGIN=false', () => {
  let t: TestApp;
  let provider: TestOidcProvider | undefined;
  let providerPort: number;
  const logged: string[] = [];
  beforeAll(async () => {
    const capture = (...args: unknown[]) => { logged.push(String(args[0])); };
    jest.spyOn(Logger.prototype, 'log').mockImplementation(capture);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(capture);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(capture);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(capture);
    providerPort = await freePort();
    const port = await freePort();
    t = await startTestApp({
      PORT: String(port),
      OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
      OIDC_CLIENT_ID: 'chatops-test',
      OIDC_CLIENT_SECRET: 'chatops-test-secret-0123456789abcdef',
      OIDC_REDIRECT_URI: `http://127.0.0.1:${port}${CALLBACK}`,
      OIDC_ALLOW_HTTP: 'true',
      LOCAL_LOGIN: 'false',
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await provider?.stop();
  });

  it('starts anyway, answers 503 oidc.provider_unavailable, and signs in once the provider is up (lazy rediscovery)', async () => {
    const config = await t.http().get('/api/v1/auth/oidc/config').expect(200);
    expect(config.body).toEqual({ oidcEnabled: true, oidcButtonLabel: 'Sign in with SSO', localLogin: false });
    const down = await t.http().get('/api/v1/auth/oidc/login').expect(503);
    expect(down.body.code).toBe('oidc.provider_unavailable');

    provider = await startOidcProvider({ redirectUri: `${t.baseUrl}${CALLBACK}`, users: USERS, port: providerPort });
    await provider.loginAs('alice-sub');
    const deadline = Date.now() + 15_000;
    let status = 503;
    while (status !== 302 && Date.now() < deadline) {
      status = (await t.http().get('/api/v1/auth/oidc/login')).status;
      if (status !== 302) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(302);
    const jar = new CookieJar();
    const res = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    expect(res.location).toBe('/');
    // The first account of the instance, made by single sign-on, is its admin (as with registration).
    expect((await sessionFromCookie(t, res.refreshCookie!)).user).toMatchObject({ username: 'alice', role: 'admin' });
    // One clear line each way, naming the issuer; never the client secret.
    expect(logged.some((l) => l.startsWith(`Discovery of http://127.0.0.1:${providerPort} failed`))).toBe(true);
    expect(logged.some((l) => l.startsWith(`Single sign-on ready: discovered http://127.0.0.1:${providerPort}`))).toBe(true);
    expect(logged.join('\n')).not.toContain('chatops-test-secret');
  });

  it('turns password sign-in, registration and password changes off with 403 auth.local_login_disabled', async () => {
    const reg = await t.http().post('/api/v1/auth/register').send({ username: 'nobody', email: 'n@x.test', password: 'correct horse battery' }).expect(403);
    expect(reg.body.code).toBe('auth.local_login_disabled');
    const login = await t.http().post('/api/v1/auth/login').send({ username: 'alice', password: 'whatever-password' }).expect(403);
    expect(login.body.code).toBe('auth.local_login_disabled');
    // Signed in through the provider (up since the test before), a password change is refused too.
    const jar = new CookieJar();
    const signedIn = await finish(jar, await signInUpToCallback(t.baseUrl, jar));
    const session = await sessionFromCookie(t, signedIn.refreshCookie!);
    const change = await t.http().post('/api/v1/auth/change-password').set('Authorization', `Bearer ${session.accessToken}`)
      .send({ currentPassword: 'anything-at-all', newPassword: 'a new password 1' }).expect(403);
    expect(change.body.code).toBe('auth.local_login_disabled');
  });
});
