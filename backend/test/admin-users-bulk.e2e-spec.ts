import type { AdminBulkResponse } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { connectLive, type LiveClient } from './support/live-client';

/** Bulk user actions against a real backend and PostgreSQL: per-user results, rules and audit entries. */
describe('admin: bulk user actions', () => {
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

  const bulk = (action: string, userIds: string[], as: TestUser = admin) => t.http().post('/api/v1/admin/users/bulk').set(as.auth).send({ action, userIds });
  const audit = async (action: string) =>
    (await t.db.query('SELECT user_id, description FROM audit_logs WHERE action = $1 ORDER BY created_at', [action])).rows as { user_id: string; description: string }[];
  const login = (u: TestUser) => t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password });

  it('disables several users, refusing yourself without stopping the others; each one audited', async () => {
    const [bob, carol] = [await registerUser(t), await registerUser(t)];
    const res = await bulk('disable', [bob.user.id, admin.user.id, carol.user.id, bob.user.id]).expect(200);
    const body = res.body as AdminBulkResponse;
    expect(body.action).toBe('disable');
    expect(body.results.map((r) => [r.userId, r.ok, r.ok ? r.user.disabledAt !== null : r.code])).toEqual([
      [bob.user.id, true, true],
      [admin.user.id, false, 'admin.self_action'],
      [carol.user.id, true, true],
    ]);
    expect((await login(bob)).body.code).toBe('auth.user_disabled');
    expect((await login(carol)).body.code).toBe('auth.user_disabled');
    await login(admin).expect(200);
    const entries = await audit('admin.user_disable');
    expect(entries.filter((e) => e.description.includes(bob.user.id) || e.description.includes(carol.user.id))).toHaveLength(2);
    expect(entries.every((e) => e.user_id === admin.user.id)).toBe(true);

    const enabled = (await bulk('enable', [bob.user.id, carol.user.id]).expect(200)).body as AdminBulkResponse;
    expect(enabled.results.every((r) => r.ok && r.user.disabledAt === null)).toBe(true);
    await login(bob).expect(200);
    expect((await audit('admin.user_enable')).length).toBeGreaterThanOrEqual(2);
  });

  it('disables another admin, reports an unknown user as not found, never the acting admin: an active admin always remains', async () => {
    const dora = await registerUser(t);
    await t.http().put(`/api/v1/admin/users/${dora.user.id}/role`).set(admin.auth).send({ role: 'admin' }).expect(200);
    // Dora (an admin) disables Ada, then tries Ada again and herself: the instance keeps one admin.
    const missing = '00000000-0000-4000-8000-000000000000';
    const res = (await bulk('disable', [admin.user.id, missing, dora.user.id], dora).expect(200)).body as AdminBulkResponse;
    expect(res.results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'admin.user_not_found', 'admin.self_action']);
    const back = (await bulk('enable', [admin.user.id], dora).expect(200)).body as AdminBulkResponse;
    expect(back.results[0].ok).toBe(true);
    // Ada signs in again and demotes Dora: one active admin left, Ada.
    admin = { ...admin, ...(await login(admin).expect(200)).body };
    admin.auth = { Authorization: `Bearer ${admin.accessToken}` };
    await t.http().put(`/api/v1/admin/users/${dora.user.id}/role`).set(admin.auth).send({ role: 'user' }).expect(200);
    const last = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
    expect(last.rows[0].n).toBe(1);
  });

  it('signs users out everywhere (sessions and sockets), keeping their accounts usable', async () => {
    const erin = await registerUser(t);
    const socket = await connectLive(t.baseUrl, erin.accessToken);
    sockets.push(socket);
    const closed = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    const res = (await bulk('revoke_sessions', [erin.user.id, admin.user.id]).expect(200)).body as AdminBulkResponse;
    expect(res.results.map((r) => (r.ok ? r.user.activeSessions : r.code))).toEqual([0, 'admin.self_action']);
    expect(await closed).toBe('io server disconnect');
    await t.http().get('/api/v1/auth/me').set(erin.auth).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: erin.refreshToken }).expect(401);
    await login(erin).expect(200);
    const entries = await audit('admin.user_sessions_revoke');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ user_id: admin.user.id });
    expect(entries[0].description).toContain(erin.user.id);
  });

  it('answers bad input with 400 and non-admins with 403, changing nobody', async () => {
    const fred = await registerUser(t);
    for (const body of [
      {}, { action: 'delete', userIds: [fred.user.id] }, { action: 'disable', userIds: [] }, { action: 'disable', userIds: ['nope'] },
      { action: 'disable', userIds: fred.user.id }, { action: 'disable', userIds: Array(201).fill(fred.user.id) },
      { action: 'disable', userIds: [fred.user.id], extra: true },
    ]) {
      const res = await t.http().post('/api/v1/admin/users/bulk').set(admin.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    const asUser = await bulk('disable', [admin.user.id], fred);
    expect({ status: asUser.status, code: asUser.body.code }).toEqual({ status: 403, code: 'admin.required' });
    await t.http().post('/api/v1/admin/users/bulk').send({ action: 'disable', userIds: [fred.user.id] }).expect(401);
    await login(fred).expect(200);
    await login(admin).expect(200);
  });
});
