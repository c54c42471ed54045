import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { registerUser, startTestApp, TestApp } from './support/app';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t.close(); });

  const refresh = (token: string) => t.http().post('/api/v1/auth/refresh').send({ refreshToken: token });

  it('makes the first user admin and later ones users; tokens have the contract shape', async () => {
    const first = await registerUser(t, { fullName: 'Ada Admin' });
    const second = await registerUser(t);
    expect(first.user.role).toBe('admin');
    expect(second.user.role).toBe('user');
    expect(first).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800 });
    expect(first.user).toEqual({
      id: expect.any(String), email: expect.any(String), username: expect.any(String),
      fullName: 'Ada Admin', role: 'admin', createdAt: expect.any(String),
    });
    expect(first.user).not.toHaveProperty('passwordHash');
  });

  it('stores argon2id password hashes and only SHA-256 hashes of refresh tokens', async () => {
    const u = await registerUser(t);
    const row = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [u.user.id]);
    expect(row.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    const tokens = await t.db.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [u.user.id]);
    expect(tokens.rows).toHaveLength(1);
    expect(tokens.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.rows[0].token_hash).not.toContain(u.refreshToken);
  });

  it('rejects duplicate usernames and emails case-insensitively with 409', async () => {
    const u = await registerUser(t);
    const dupName = await t.http().post('/api/v1/auth/register')
      .send({ username: u.user.username.toUpperCase(), email: 'other@example.test', password: 'password123' });
    expect(dupName.status).toBe(409);
    expect(dupName.body).toMatchObject({ statusCode: 409, error: 'Conflict', requestId: expect.any(String) });
    const dupMail = await t.http().post('/api/v1/auth/register')
      .send({ username: 'someone_else', email: u.user.email.toUpperCase(), password: 'password123' });
    expect(dupMail.status).toBe(409);
  });

  it('logs in by username or email; a wrong password is 401 and audited', async () => {
    const u = await registerUser(t);
    await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(200);
    const byMail = await t.http().post('/api/v1/auth/login').send({ username: u.user.email, password: u.password }).expect(200);
    expect(byMail.body.user.id).toBe(u.user.id);
    const bad = await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe('Invalid username or password');
    const unknown = await t.http().post('/api/v1/auth/login').send({ username: 'nobody_here', password: 'whatever1' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe(bad.body.message);
    const audit = await t.db.query(`SELECT success FROM audit_logs WHERE action = 'auth.login' AND user_id = $1 ORDER BY created_at`, [u.user.id]);
    expect(audit.rows.map((r) => r.success)).toEqual([true, true, false]);
  });

  it('rotates refresh tokens: the old one stops working, the new one works', async () => {
    const u = await registerUser(t);
    const r1 = await refresh(u.refreshToken).expect(200);
    expect(r1.body.refreshToken).not.toBe(u.refreshToken);
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${r1.body.accessToken}`).expect(200);
    const r2 = await refresh(r1.body.refreshToken).expect(200);
    expect(r2.body.user.id).toBe(u.user.id);
  });

  it('revokes the whole token family when a used refresh token is presented again', async () => {
    const u = await registerUser(t);
    const rotated = await refresh(u.refreshToken).expect(200);
    const reuse = await refresh(u.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('auth.refresh_token_reused');
    // the attacker's reuse also kills the legitimate successor and its access token
    await refresh(rotated.body.refreshToken).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${rotated.body.accessToken}`).expect(401);
    const audit = await t.db.query(`SELECT 1 FROM audit_logs WHERE action = 'auth.refresh_reuse' AND user_id = $1`, [u.user.id]);
    expect(audit.rowCount).toBeGreaterThanOrEqual(1);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const u = await registerUser(t);
    const [a, b] = await Promise.all([refresh(u.refreshToken), refresh(u.refreshToken)]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
  });

  it('rejects expired refresh tokens and expired or forged access tokens', async () => {
    const u = await registerUser(t);
    await t.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.user.id]);
    const expired = await refresh(u.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('auth.refresh_token_expired');

    const pwv = (await t.db.query('SELECT password_changed_at FROM users WHERE id = $1', [u.user.id])).rows[0].password_changed_at.getTime();
    const sid = (await t.db.query('SELECT family_id FROM refresh_tokens WHERE user_id = $1', [u.user.id])).rows[0].family_id;
    const jwt = new JwtService({ secret: t.config.jwtSecret });
    const claims = { sub: u.user.id, username: u.user.username, role: u.user.role, pwv, sid, jti: randomUUID() };
    // a valid signature and claims work: the failures below are about expiry and forgery only
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${jwt.sign(claims, { expiresIn: 600 })}`).expect(200);
    const old = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${old}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.token_expired');
    const forged = new JwtService({ secret: 'another-secret-that-is-long-enough-000000' }).sign(claims, { expiresIn: 600 });
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', 'Bearer not-a-jwt').expect(401);
    await t.http().get('/api/v1/auth/me').expect(401);
  });

  it('logout revokes the session: its refresh and access tokens stop working, other sessions stay', async () => {
    const u = await registerUser(t);
    const other = await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(200);
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
    await refresh(u.refreshToken).expect(401);
    await t.http().get('/api/v1/auth/me').set(u.auth).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${other.body.accessToken}`).expect(200);
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
  });

  it('updates the profile', async () => {
    const u = await registerUser(t);
    const res = await t.http().put('/api/v1/auth/me').set(u.auth).send({ fullName: 'New Name' }).expect(200);
    expect(res.body.fullName).toBe('New Name');
    const me = await t.http().get('/api/v1/auth/me').set(u.auth).expect(200);
    expect(me.body.fullName).toBe('New Name');
    const other = await registerUser(t);
    await t.http().put('/api/v1/auth/me').set(u.auth).send({ email: other.user.email }).expect(409);
  });

  it('changing the password ends every other session and keeps the new one', async () => {
    const u = await registerUser(t);
    const second = await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(200);
    await t.http().post('/api/v1/auth/change-password').set(u.auth)
      .send({ currentPassword: 'not it at all', newPassword: 'brand new password' }).expect(403);
    const changed = await t.http().post('/api/v1/auth/change-password').set(u.auth)
      .send({ currentPassword: u.password, newPassword: 'brand new password' }).expect(200);
    // old access tokens and refresh tokens of every session stop working
    await t.http().get('/api/v1/auth/me').set(u.auth).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${second.body.accessToken}`).expect(401);
    await refresh(u.refreshToken).expect(401);
    await refresh(second.body.refreshToken).expect(401);
    // the fresh pair works, and so does the new password
    await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${changed.body.accessToken}`).expect(200);
    await refresh(changed.body.refreshToken).expect(200);
    await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: 'brand new password' }).expect(200);
    const audit = await t.db.query(`SELECT success FROM audit_logs WHERE action = 'auth.password_change' AND user_id = $1 ORDER BY created_at`, [u.user.id]);
    expect(audit.rows.map((r) => r.success)).toEqual([false, true]);
  });
});

describe('auth rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp({ AUTH_RATE_LIMIT: '3/60' }); });
  afterAll(async () => { await t.close(); });

  it('answers 429 with the contract body after too many login attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.http().post('/api/v1/auth/login').send({ username: 'x_user', password: 'bad password' });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', requestId: expect.any(String) });
        expect(res.headers['retry-after']).toBeDefined();
      }
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
