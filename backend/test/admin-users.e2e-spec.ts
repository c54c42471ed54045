import type { Socket } from 'socket.io-client';
import type { AdminUser, AdminUserPage } from '@chatops/protocol';
import { createServer, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { startInstancePair, InstancePair } from './support/instances';
import { connectLive } from './support/live-client';

/** Resolves with what a socket saw when the server ended it: `session_expired:<reason>`, then the disconnect reason. */
const closedBy = (s: Socket): Promise<string[]> => {
  const events: string[] = [];
  s.on('session_expired', (p: { reason: string }) => events.push(`session_expired:${p.reason}`));
  return new Promise((resolve) => s.on('disconnect', (reason) => { events.push(reason); resolve(events); }));
};

describe('admin: users', () => {
  let t: TestApp;
  let admin: TestUser;
  let bob: TestUser;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t, { fullName: 'Ada Admin' });
    bob = await registerUser(t, { fullName: 'Bob Builder' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  const as = (u: TestUser) => u.auth;
  const login = (u: TestUser, password = u.password) => t.http().post('/api/v1/auth/login').send({ username: u.user.username, password });
  const audit = async (action: string) =>
    (await t.db.query('SELECT user_id, description, success FROM audit_logs WHERE action = $1 ORDER BY created_at', [action])).rows;

  it('is for the instance admin only: 401 without a token, 403 admin.required for a user, on every route', async () => {
    const routes: [string, string, object?][] = [
      ['get', '/api/v1/admin/users'],
      ['post', `/api/v1/admin/users/${admin.user.id}/disable`],
      ['post', `/api/v1/admin/users/${admin.user.id}/enable`],
      ['put', `/api/v1/admin/users/${bob.user.id}/role`, { role: 'admin' }],
      ['post', `/api/v1/admin/users/${admin.user.id}/reset-password`, { password: 'taken over now' }],
      ['get', '/api/v1/admin/registration'],
      ['put', '/api/v1/admin/registration', { mode: 'invite' }],
      ['get', '/api/v1/admin/invites'],
      ['post', '/api/v1/admin/invites', {}],
      ['post', `/api/v1/admin/invites/${admin.user.id}/revoke`],
    ];
    for (const [method, url, body] of routes) {
      const anon = await t.http()[method as 'get'](url).send(body);
      expect({ url, status: anon.status }).toEqual({ url, status: 401 });
      const res = await t.http()[method as 'get'](url).set(as(bob)).send(body);
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 403, code: 'admin.required' });
    }
    // Nothing changed: bob is still a user, ada can still sign in, registration still open.
    expect((await t.http().get('/api/v1/auth/me').set(as(bob)).expect(200)).body.role).toBe('user');
    await login(admin).expect(200);
    expect((await t.http().get('/api/v1/auth/registration').expect(200)).body).toEqual({ mode: 'open', inviteRequired: false });
  });

  it('lists users with role, state, last sign-in, server and session counts; searches and pages', async () => {
    await createServer(t, bob);
    await createServer(t, bob);
    const page = (await t.http().get('/api/v1/admin/users').set(as(admin)).expect(200)).body as AdminUserPage;
    expect(page).toMatchObject({ total: 2, limit: 50, offset: 0 });
    const b = page.items.find((u) => u.id === bob.user.id)!;
    expect(b).toEqual({
      id: bob.user.id, email: bob.user.email, username: bob.user.username, fullName: 'Bob Builder', role: 'user',
      createdAt: expect.any(String), disabledAt: null, lastLoginAt: expect.any(String), serverCount: 2, activeSessions: 1,
    });
    expect(b).not.toHaveProperty('passwordHash');
    expect(page.items[0].id).toBe(admin.user.id);

    const byName = (await t.http().get('/api/v1/admin/users').query({ q: 'builder' }).set(as(admin)).expect(200)).body as AdminUserPage;
    expect(byName.items.map((u) => u.id)).toEqual([bob.user.id]);
    const byMail = (await t.http().get('/api/v1/admin/users').query({ q: admin.user.email.toUpperCase() }).set(as(admin)).expect(200)).body as AdminUserPage;
    expect(byMail.items.map((u) => u.id)).toEqual([admin.user.id]);
    // LIKE wildcards are literal.
    expect((await t.http().get('/api/v1/admin/users').query({ q: '%' }).set(as(admin)).expect(200)).body.total).toBe(0);
    const second = (await t.http().get('/api/v1/admin/users').query({ limit: 1, offset: 1 }).set(as(admin)).expect(200)).body as AdminUserPage;
    expect(second).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(second.items.map((u) => u.id)).toEqual([bob.user.id]);

    for (const query of [{ limit: 0 }, { limit: 201 }, { offset: -1 }, { limit: 'ten' }, { unknown: 1 }]) {
      const bad = await t.http().get('/api/v1/admin/users').query(query).set(as(admin));
      expect({ query, status: bad.status }).toEqual({ query, status: 400 });
    }
    await t.http().post('/api/v1/admin/users/not-a-uuid/disable').set(as(admin)).expect(400);
    const missing = await t.http().post('/api/v1/admin/users/00000000-0000-4000-8000-000000000000/disable').set(as(admin));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('admin.user_not_found');
  });

  it('disabling ends the user\'s sessions and live sockets at once; sign-in and refresh answer 403 auth.user_disabled', async () => {
    const carol = await registerUser(t);
    const second = (await login(carol).expect(200)).body;
    const s1 = await connectLive(t.baseUrl, carol.accessToken);
    const s2 = await connectLive(t.baseUrl, second.accessToken);
    sockets.push(s1, s2);
    const closed = [closedBy(s1), closedBy(s2)];

    const res = await t.http().post(`/api/v1/admin/users/${carol.user.id}/disable`).set(as(admin)).expect(200);
    expect((res.body as AdminUser).disabledAt).toEqual(expect.any(String));
    expect((res.body as AdminUser).activeSessions).toBe(0);
    expect(await Promise.all(closed)).toEqual([
      ['session_expired:revoked', 'io server disconnect'],
      ['session_expired:revoked', 'io server disconnect'],
    ]);

    const me = await t.http().get('/api/v1/auth/me').set(carol.auth);
    expect({ status: me.status, code: me.body.code }).toEqual({ status: 401, code: 'auth.session_revoked' });
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken });
    expect({ status: refreshed.status, code: refreshed.body.code }).toEqual({ status: 403, code: 'auth.user_disabled' });
    const signIn = await login(carol);
    expect({ status: signIn.status, code: signIn.body.code }).toEqual({ status: 403, code: 'auth.user_disabled' });
    // A wrong password says nothing about the account's state.
    const guess = await login(carol, 'not the password');
    expect({ status: guess.status, code: guess.body.code }).toEqual({ status: 401, code: 'auth.invalid_credentials' });
    await expect(connectLive(t.baseUrl, carol.accessToken)).rejects.toThrow('unauthorized');
    // Disabling again changes nothing.
    await t.http().post(`/api/v1/admin/users/${carol.user.id}/disable`).set(as(admin)).expect(200);

    const enabled = await t.http().post(`/api/v1/admin/users/${carol.user.id}/enable`).set(as(admin)).expect(200);
    expect((enabled.body as AdminUser).disabledAt).toBeNull();
    const back = (await login(carol).expect(200)).body;
    await t.http().get('/api/v1/auth/me').set({ Authorization: `Bearer ${back.accessToken}` }).expect(200);

    const disables = await audit('admin.user_disable');
    expect(disables[0]).toMatchObject({ user_id: admin.user.id, success: true });
    expect(disables[0].description).toContain(`Disabled user ${carol.user.username}`);
    expect(disables[0].description).toContain('2 session(s) ended');
    expect((await audit('admin.user_enable')).at(-1).user_id).toBe(admin.user.id);
    expect((await audit('auth.login')).some((r) => !r.success && r.description.includes('disabled user'))).toBe(true);
  });

  it('resets a password to a temporary one: every session ends, the old password stops working, never logged', async () => {
    const dave = await registerUser(t);
    const socket = await connectLive(t.baseUrl, dave.accessToken);
    sockets.push(socket);
    const closed = closedBy(socket);
    const short = await t.http().post(`/api/v1/admin/users/${dave.user.id}/reset-password`).set(as(admin)).send({ password: 'short' });
    expect(short.status).toBe(400);
    await t.http().post(`/api/v1/admin/users/${dave.user.id}/reset-password`).set(as(admin)).send({ password: 'temporary passphrase' }).expect(200);
    expect(await closed).toEqual(['session_expired:revoked', 'io server disconnect']);
    await t.http().get('/api/v1/auth/me').set(dave.auth).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: dave.refreshToken }).expect(401);
    await login(dave).expect(401);
    await login(dave, 'temporary passphrase').expect(200);
    const row = (await t.db.query('SELECT password_hash FROM users WHERE id = $1', [dave.user.id])).rows[0];
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const entries = await audit('admin.user_password_reset');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain('temporary passphrase');

    const self = await t.http().post(`/api/v1/admin/users/${admin.user.id}/reset-password`).set(as(admin)).send({ password: 'temporary passphrase' });
    expect({ status: self.status, code: self.body.code }).toEqual({ status: 403, code: 'admin.self_action' });
  });

  it('promotes and demotes at once; never the last active admin, never oneself into a lockout', async () => {
    const erin = await registerUser(t);
    const selfDisable = await t.http().post(`/api/v1/admin/users/${admin.user.id}/disable`).set(as(admin));
    expect({ status: selfDisable.status, code: selfDisable.body.code }).toEqual({ status: 403, code: 'admin.self_action' });
    const soleDemote = await t.http().put(`/api/v1/admin/users/${admin.user.id}/role`).set(as(admin)).send({ role: 'user' });
    expect({ status: soleDemote.status, code: soleDemote.body.code }).toEqual({ status: 409, code: 'admin.last_admin' });
    await t.http().put(`/api/v1/admin/users/${erin.user.id}/role`).set(as(admin)).send({ role: 'superuser' }).expect(400);

    // Promoted: erin's current token is an admin's on the very next request.
    const socket = await connectLive(t.baseUrl, erin.accessToken);
    sockets.push(socket);
    const reconnect = closedBy(socket);
    expect((await t.http().put(`/api/v1/admin/users/${erin.user.id}/role`).set(as(admin)).send({ role: 'admin' }).expect(200)).body.role).toBe('admin');
    expect(await reconnect).toEqual(['session_expired:revoked', 'io server disconnect']);
    await t.http().get('/api/v1/admin/users').set(erin.auth).expect(200);

    // Two admins disabling each other at once: one wins, an active admin always remains.
    const [a, b] = await Promise.all([
      t.http().post(`/api/v1/admin/users/${erin.user.id}/disable`).set(as(admin)),
      t.http().post(`/api/v1/admin/users/${admin.user.id}/disable`).set(erin.auth),
    ]);
    expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
    // The other one was disabled first: its token is refused (401) or, already past the guard, it is no admin any more (403).
    expect([401, 403]).toContain(a.status === 200 ? b.status : a.status);
    const active = await t.db.query(`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
    expect(active.rowCount).toBe(1);
    const winner = a.status === 200 ? admin : erin;
    const loser = a.status === 200 ? erin : admin;
    await t.http().post(`/api/v1/admin/users/${loser.user.id}/enable`).set(winner.auth).expect(200);
    const relogged = (await login(loser).expect(200)).body;

    // With two active admins one may step down; the remaining one then cannot.
    await t.http().put(`/api/v1/admin/users/${loser.user.id}/role`).set({ Authorization: `Bearer ${relogged.accessToken}` }).send({ role: 'user' }).expect(200);
    const last = await t.http().put(`/api/v1/admin/users/${winner.user.id}/role`).set(winner.auth).send({ role: 'user' });
    expect({ status: last.status, code: last.body.code }).toEqual({ status: 409, code: 'admin.last_admin' });
    const demoted = await t.http().get('/api/v1/admin/users').set({ Authorization: `Bearer ${relogged.accessToken}` });
    expect({ status: demoted.status, code: demoted.body.code }).toEqual({ status: 403, code: 'admin.required' });
    expect((await audit('admin.user_role')).length).toBe(2);
  });
});

describe('admin: disabling a user across instances', () => {
  let pair: InstancePair;
  beforeAll(async () => { pair = await startInstancePair(); });
  afterAll(async () => { await pair?.close(); });

  it('closes the user\'s live socket on the other instance at once', async () => {
    const admin = await registerUser(pair.a);
    const frank = await registerUser(pair.a);
    const onB = await connectLive(pair.b.baseUrl, frank.accessToken);
    try {
      const closed = closedBy(onB);
      await pair.a.http().post(`/api/v1/admin/users/${frank.user.id}/disable`).set(admin.auth).expect(200);
      expect(await closed).toEqual(['session_expired:revoked', 'io server disconnect']);
      // Instance B refuses the token too (the state is in PostgreSQL, not in the instance).
      await waitFor(async () => (await pair.b.http().get('/api/v1/auth/me').set(frank.auth)).status, (s) => s === 401, 5000, 'B to refuse');
    } finally {
      onB.close();
    }
  });
});
