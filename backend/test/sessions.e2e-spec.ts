import type { Socket } from 'socket.io-client';
import type { UserSession } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { connectLive } from './support/live-client';

describe('auth: my sessions', () => {
  let t: TestApp;
  let ada: TestUser;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true' });
    await registerUser(t); // the admin
    ada = await registerUser(t);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  const signIn = async (u: TestUser, ua: string, ip: string) =>
    (await t.http().post('/api/v1/auth/login').set({ 'User-Agent': ua, 'X-Forwarded-For': ip }).send({ username: u.user.username, password: u.password }).expect(200)).body;
  const list = async (token: string) => (await t.http().get('/api/v1/auth/sessions').set({ Authorization: `Bearer ${token}` }).expect(200)).body as UserSession[];

  it('lists my sessions, newest use first, with user agent and IP; the current one is marked; never another user\'s', async () => {
    const laptop = await signIn(ada, 'Laptop Firefox', '203.0.113.7');
    const phone = await signIn(ada, 'Phone Safari', '198.51.100.9');
    // A renewal counts as use: the laptop becomes the most recently used session.
    const renewed = (await t.http().post('/api/v1/auth/refresh').set({ 'User-Agent': 'Laptop Firefox', 'X-Forwarded-For': '203.0.113.8' }).send({ refreshToken: laptop.refreshToken }).expect(200)).body;
    const sessions = await list(phone.accessToken);
    expect(sessions).toHaveLength(3);
    expect(sessions[0]).toEqual({
      id: expect.any(String), current: false, createdAt: expect.any(String), lastUsedAt: expect.any(String), expiresAt: expect.any(String),
      ip: '203.0.113.8', userAgent: 'Laptop Firefox',
    });
    expect(Date.parse(sessions[0].lastUsedAt)).toBeGreaterThan(Date.parse(sessions[0].createdAt));
    expect(sessions[1]).toMatchObject({ current: true, ip: '198.51.100.9', userAgent: 'Phone Safari' });
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect((await list(renewed.accessToken))[0].current).toBe(true);

    const bob = await registerUser(t);
    const bobs = await list(bob.accessToken);
    expect(bobs).toHaveLength(1);
    expect(bobs.map((s) => s.id)).not.toEqual(expect.arrayContaining(sessions.map((s) => s.id)));
  });

  it('revokes one session: its refresh token, access token and live socket stop at once; 404 for anything else', async () => {
    const carol = await registerUser(t);
    const other = await signIn(carol, 'Other device', '192.0.2.1');
    const socket = await connectLive(t.baseUrl, other.accessToken);
    sockets.push(socket);
    const events: string[] = [];
    socket.on('session_expired', (p: { reason: string }) => events.push(`session_expired:${p.reason}`));
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    const target = (await list(carol.accessToken)).find((s) => !s.current)!;

    await t.http().delete(`/api/v1/auth/sessions/${target.id}`).set(carol.auth).expect(204);
    expect(await closed).toBe('io server disconnect');
    expect(events).toEqual(['session_expired:revoked']);
    await t.http().get('/api/v1/auth/me').set({ Authorization: `Bearer ${other.accessToken}` }).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    await t.http().get('/api/v1/auth/me').set(carol.auth).expect(200);
    expect((await list(carol.accessToken)).map((s) => s.id)).not.toContain(target.id);

    const again = await t.http().delete(`/api/v1/auth/sessions/${target.id}`).set(carol.auth);
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 404, code: 'auth.session_not_found' });
    // Another user's session is "not found" too, and stays alive.
    const adaSession = (await list(ada.accessToken))[0];
    await t.http().delete(`/api/v1/auth/sessions/${adaSession.id}`).set(carol.auth).expect(404);
    await t.http().get('/api/v1/auth/me').set(ada.auth).expect(200);
    await t.http().delete('/api/v1/auth/sessions/not-a-uuid').set(carol.auth).expect(400);
    await t.http().get('/api/v1/auth/sessions').expect(401);
    const audit = await t.db.query(`SELECT description FROM audit_logs WHERE action = 'auth.session_revoke' AND user_id = $1`, [carol.user.id]);
    expect(audit.rows).toEqual([{ description: `Signed out session ${target.id}` }]);
  });

  it('signs out every other session and keeps this one', async () => {
    const dave = await registerUser(t);
    const two = await signIn(dave, 'Two', '192.0.2.2');
    const three = await signIn(dave, 'Three', '192.0.2.3');
    const socket = await connectLive(t.baseUrl, three.accessToken);
    sockets.push(socket);
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    const res = await t.http().post('/api/v1/auth/sessions/revoke-others').set(dave.auth).expect(200);
    expect(res.body).toEqual({ revoked: 2 });
    expect(await closed).toBe('io server disconnect');
    for (const s of [two, three]) await t.http().get('/api/v1/auth/me').set({ Authorization: `Bearer ${s.accessToken}` }).expect(401);
    await t.http().get('/api/v1/auth/me').set(dave.auth).expect(200);
    const left = await list(dave.accessToken);
    expect(left).toHaveLength(1);
    expect(left[0].current).toBe(true);
    expect((await t.http().post('/api/v1/auth/sessions/revoke-others').set(dave.auth).expect(200)).body).toEqual({ revoked: 0 });
  });
});
