import { createHash, randomBytes } from 'node:crypto';
import type { AdminUserPage, PasswordResetLink } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { connectLive, type LiveClient } from './support/live-client';

/**
 * Admin password resets against a real backend and PostgreSQL: a temporary password the user must
 * change at the next sign-in (everything else answers 403 auth.password_change_required), and a
 * one-time reset link (hashed, 1 h, single use, ends every session when used).
 */
describe('admin password reset', () => {
  let t: TestApp;
  let admin: TestUser;
  const sockets: LiveClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  const login = (u: TestUser, password: string) => t.http().post('/api/v1/auth/login').send({ username: u.user.username, password });
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const audit = async (action: string) =>
    (await t.db.query('SELECT user_id, description, success FROM audit_logs WHERE action = $1 ORDER BY created_at', [action])).rows as { user_id: string | null; description: string; success: boolean }[];
  const resetLink = async (u: TestUser): Promise<PasswordResetLink> =>
    (await t.http().post(`/api/v1/admin/users/${u.user.id}/reset-link`).set(admin.auth).expect(201)).body;
  const complete = (token: string, newPassword: string) => t.http().post('/api/v1/auth/reset-password').send({ token, newPassword });
  const socketRefusal = (token: string) => connectLive(t.baseUrl, token).then((s) => { sockets.push(s); return 'connected'; }, (err: Error) => err.message);

  describe('temporary password', () => {
    it('lets the user sign in, but every call except me, change-password and logout answers 403 until the password is changed', async () => {
      const bob = await registerUser(t);
      await t.http().post(`/api/v1/admin/users/${bob.user.id}/reset-password`).set(admin.auth).send({ password: 'temporary passphrase' }).expect(200);
      const listed = (await t.http().get('/api/v1/admin/users').set(admin.auth).expect(200)).body as AdminUserPage;
      expect(listed.items.find((u) => u.id === bob.user.id)?.mustChangePassword).toBe(true);

      const signedIn = await login(bob, 'temporary passphrase').expect(200);
      expect(signedIn.body.user.mustChangePassword).toBe(true);
      const auth = bearer(signedIn.body.accessToken);
      for (const [method, url] of [['get', '/api/v1/servers'], ['post', '/api/v1/servers'], ['get', '/api/v1/auth/sessions'], ['get', '/api/v1/alerts']] as const) {
        const res = await t.http()[method](url).set(auth).send(method === 'post' ? { name: 'sneaky' } : undefined);
        expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 403, code: 'auth.password_change_required' });
      }
      expect((await t.http().get('/api/v1/auth/me').set(auth).expect(200)).body.mustChangePassword).toBe(true);
      expect(await socketRefusal(signedIn.body.accessToken)).toBe('password_change_required');
      // The refresh works (the dashboard keeps its session while the user types), the flag stays.
      const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: signedIn.body.refreshToken }).expect(200);
      expect(refreshed.body.user.mustChangePassword).toBe(true);
      const auth2 = bearer(refreshed.body.accessToken);
      expect((await t.http().get('/api/v1/servers').set(auth2)).status).toBe(403);

      const same = await t.http().post('/api/v1/auth/change-password').set(auth2).send({ currentPassword: 'temporary passphrase', newPassword: 'temporary passphrase' });
      expect({ status: same.status, code: same.body.code }).toEqual({ status: 400, code: 'auth.password_unchanged' });
      const changed = await t.http().post('/api/v1/auth/change-password').set(auth2).send({ currentPassword: 'temporary passphrase', newPassword: 'my own new secret' }).expect(200);
      expect(changed.body.user).not.toHaveProperty('mustChangePassword');
      await t.http().get('/api/v1/servers').set(bearer(changed.body.accessToken)).expect(200);
      expect(await socketRefusal(changed.body.accessToken)).toBe('connected');
      await login(bob, 'temporary passphrase').expect(401);
      expect((await login(bob, 'my own new secret').expect(200)).body.user).not.toHaveProperty('mustChangePassword');

      const changes = await audit('auth.password_change');
      expect(changes.some((r) => r.user_id === bob.user.id && r.description.startsWith('Replaced the temporary password'))).toBe(true);
      expect(JSON.stringify([...changes, ...(await audit('admin.user_password_reset'))])).not.toMatch(/temporary passphrase|my own new secret/);
    });

    it('stops the user\'s personal API tokens too until the password is changed', async () => {
      const carol = await registerUser(t);
      const pat = (await t.http().post('/api/v1/auth/tokens').set(carol.auth).send({ name: 'ci', scopes: ['server.read'], expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }).expect(201)).body.token as string;
      await t.http().get('/api/v1/servers').set(bearer(pat)).expect(200);
      await t.http().post(`/api/v1/admin/users/${carol.user.id}/reset-password`).set(admin.auth).send({ password: 'temporary passphrase' }).expect(200);
      const res = await t.http().get('/api/v1/servers').set(bearer(pat));
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'auth.password_change_required' });
    });
  });

  describe('reset link', () => {
    it('is shown once, stored as a hash, valid 1 hour; nothing changes until it is used', async () => {
      const dave = await registerUser(t);
      const before = Date.now();
      const res = await t.http().post(`/api/v1/admin/users/${dave.user.id}/reset-link`).set(admin.auth).expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const link = res.body as PasswordResetLink;
      expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(link.path).toBe(`/reset-password/${link.token}`);
      const ttl = new Date(link.expiresAt).getTime() - before;
      expect(ttl).toBeGreaterThan(59 * 60_000);
      expect(ttl).toBeLessThanOrEqual(61 * 60_000);
      const rows = (await t.db.query('SELECT token_hash, created_by FROM password_resets WHERE user_id = $1', [dave.user.id])).rows;
      expect(rows).toEqual([{ token_hash: createHash('sha256').update(link.token).digest('hex'), created_by: admin.user.id }]);
      // The user's session still works until the link is used.
      await t.http().get('/api/v1/servers').set(dave.auth).expect(200);
      await login(dave, dave.password).expect(200);
      const created = await audit('admin.user_reset_link');
      expect(created.at(-1)).toMatchObject({ user_id: admin.user.id, success: true });
      expect(JSON.stringify(created)).not.toContain(link.token);
    });

    it('sets a new password without signing in, ends every session and socket, and works once', async () => {
      const erin = await registerUser(t);
      const socket = await connectLive(t.baseUrl, erin.accessToken);
      sockets.push(socket);
      const closed = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
      const link = await resetLink(erin);

      const short = await complete(link.token, 'short');
      expect(short.status).toBe(400);
      await complete(link.token, 'a brand new secret').expect(204);
      expect(await closed).toBe('io server disconnect');
      await t.http().get('/api/v1/auth/me').set(erin.auth).expect(401);
      await t.http().post('/api/v1/auth/refresh').send({ refreshToken: erin.refreshToken }).expect(401);
      await login(erin, erin.password).expect(401);
      const fresh = await login(erin, 'a brand new secret').expect(200);
      expect(fresh.body.user).not.toHaveProperty('mustChangePassword');

      const again = await complete(link.token, 'yet another secret');
      expect({ status: again.status, code: again.body.code }).toEqual({ status: 400, code: 'auth.invalid_reset_token' });
      await login(erin, 'a brand new secret').expect(200);

      const entries = await audit('auth.password_reset');
      expect(entries.filter((r) => r.user_id === erin.user.id && r.success)).toHaveLength(1);
      expect(entries.some((r) => !r.success)).toBe(true);
      expect(JSON.stringify(entries)).not.toMatch(new RegExp(`${link.token}|a brand new secret`));
    });

    it('refuses unknown, replaced and expired links with 400, and clears a pending temporary password', async () => {
      const fay = await registerUser(t);
      const unknown = await complete(randomBytes(32).toString('base64url'), 'a brand new secret');
      expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 400, code: 'auth.invalid_reset_token' });
      expect((await complete('', 'a brand new secret')).status).toBe(400);
      expect((await t.http().post('/api/v1/auth/reset-password').send({ token: 'x', newPassword: 'a brand new secret', extra: 1 })).status).toBe(400);

      const first = await resetLink(fay);
      const second = await resetLink(fay);
      expect((await complete(first.token, 'a brand new secret')).body.code).toBe('auth.invalid_reset_token');
      await t.db.query('UPDATE password_resets SET expires_at = now() - interval \'1 second\' WHERE token_hash = $1', [createHash('sha256').update(second.token).digest('hex')]);
      expect((await complete(second.token, 'a brand new secret')).body.code).toBe('auth.invalid_reset_token');

      // A temporary password also voids open links; a later link clears the temporary password.
      const third = await resetLink(fay);
      await t.http().post(`/api/v1/admin/users/${fay.user.id}/reset-password`).set(admin.auth).send({ password: 'temporary passphrase' }).expect(200);
      expect((await complete(third.token, 'a brand new secret')).body.code).toBe('auth.invalid_reset_token');
      const fourth = await resetLink(fay);
      await complete(fourth.token, 'a brand new secret').expect(204);
      const signedIn = await login(fay, 'a brand new secret').expect(200);
      expect(signedIn.body.user).not.toHaveProperty('mustChangePassword');
      await t.http().get('/api/v1/servers').set(bearer(signedIn.body.accessToken)).expect(200);
    });

    it('is for the instance admin only, never for oneself, 404 for an unknown user', async () => {
      const gil = await registerUser(t);
      const asUser = await t.http().post(`/api/v1/admin/users/${admin.user.id}/reset-link`).set(gil.auth);
      expect({ status: asUser.status, code: asUser.body.code }).toEqual({ status: 403, code: 'admin.required' });
      await t.http().post(`/api/v1/admin/users/${admin.user.id}/reset-link`).expect(401);
      const self = await t.http().post(`/api/v1/admin/users/${admin.user.id}/reset-link`).set(admin.auth);
      expect({ status: self.status, code: self.body.code }).toEqual({ status: 403, code: 'admin.self_action' });
      const missing = await t.http().post('/api/v1/admin/users/00000000-0000-4000-8000-000000000000/reset-link').set(admin.auth);
      expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'admin.user_not_found' });
      expect((await t.http().post('/api/v1/admin/users/not-a-uuid/reset-link').set(admin.auth)).status).toBe(400);
    });
  });
});

describe('admin password reset: rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT: '3/60', TRUST_PROXY: 'true' });
  });
  afterAll(async () => t.close());

  it('counts reset-link attempts in the login budget of the client (429 once spent)', async () => {
    const ip = `10.${[...randomBytes(3)].join('.')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.http().post('/api/v1/auth/reset-password').set('X-Forwarded-For', ip).send({ token: randomBytes(32).toString('base64url'), newPassword: 'a brand new secret' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    // The login of that client shares the budget.
    expect((await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username: 'x', password: 'y' })).status).toBe(429);
  });
});
