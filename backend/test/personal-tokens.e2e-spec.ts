import { createHash } from 'node:crypto';
import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * Personal API tokens: created from a signed-in session (secret once, hashed at rest), accepted by
 * REST as `Authorization: Bearer cop_…` with the user's identity, limited by read-only scopes,
 * refused for token management and password changes, and 401 with a code once revoked or expired.
 */
const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

describe('personal API tokens', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t); // the instance's first account (admin): alice and bob are plain users
    alice = await registerUser(t);
    bob = await registerUser(t);
  });
  afterAll(async () => { await t.close(); });

  const create = (user: TestUser, body: Record<string, unknown>) => t.http().post('/api/v1/auth/tokens').set(user.auth).send(body);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('shows the secret once with the cop_ prefix, stores only its hash, lists it without the secret, and audits the creation', async () => {
    const res = await create(alice, { name: ' deploy bot ', expiresAt: inDays(30), scopes: ['servers.read', 'metrics.read'] }).expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ name: 'deploy bot', scopes: ['server.read', 'metrics.read'], lastUsedAt: null }); // legacy names rewritten
    expect(res.body.token).toMatch(/^cop_[A-Za-z0-9_-]{43}$/);
    expect(res.body.prefix).toBe(res.body.token.slice(0, 12));
    const row = await t.db.query('SELECT token_hash FROM personal_tokens WHERE id = $1', [res.body.id]);
    expect(row.rows[0].token_hash).toBe(createHash('sha256').update(res.body.token).digest('hex'));
    expect(JSON.stringify(row.rows)).not.toContain(res.body.token);

    const list = await t.http().get('/api/v1/auth/tokens').set(alice.auth).expect(200);
    expect(list.body.map((x: { id: string }) => x.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    expect(list.body[0]).not.toHaveProperty('token');
    // Nobody else sees it.
    const others = await t.http().get('/api/v1/auth/tokens').set(bob.auth).expect(200);
    expect(others.body.map((x: { id: string }) => x.id)).not.toContain(res.body.id);

    const audit = await t.db.query(`SELECT description FROM audit_logs WHERE user_id = $1 AND action = 'token.create'`, [alice.user.id]);
    expect(audit.rows[0].description).toContain('deploy bot');
    expect(audit.rows[0].description).not.toContain(res.body.token);
  });

  it('authenticates REST as the user (same identity as the JWT) and records when it was last used', async () => {
    const server = await createServer(t, alice);
    const { body: tok } = await create(alice, { name: 'full', expiresAt: inDays(7) }).expect(201);
    const me = await t.http().get('/api/v1/auth/me').set(bearer(tok.token)).expect(200);
    expect(me.body.id).toBe(alice.user.id);
    const servers = await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(200);
    expect(servers.body.map((s: { id: string }) => s.id)).toContain(server.id);
    // No scopes: the user's own powers, writes included; not other people's servers.
    await t.http().put(`/api/v1/servers/${server.id}`).set(bearer(tok.token)).send({ name: 'renamed-by-token' }).expect(200);
    const bobsServer = await createServer(t, bob);
    await t.http().get(`/api/v1/servers/${bobsServer.id}`).set(bearer(tok.token)).expect(404);
    const after = await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(200);
    expect(after.body.map((s: { id: string }) => s.id)).not.toContain(bobsServer.id);
    const deadline = Date.now() + 5000;
    let lastUsed: Date | null = null;
    while (!lastUsed && Date.now() < deadline) {
      lastUsed = (await t.db.query('SELECT last_used_at FROM personal_tokens WHERE id = $1', [tok.id])).rows[0].last_used_at;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(lastUsed).toBeInstanceOf(Date);
  });

  it('a read-only token (only read capabilities) may read but not change anything', async () => {
    const server = await createServer(t, alice);
    const { body: tok } = await create(alice, { name: 'reader', expiresAt: inDays(1), scopes: ['server.read'] }).expect(201);
    await t.http().get(`/api/v1/servers/${server.id}`).set(bearer(tok.token)).expect(200);
    const res = await t.http().delete(`/api/v1/servers/${server.id}`).set(bearer(tok.token)).expect(403);
    expect(res.body.code).toBe('token.scope_denied');
    await t.http().get(`/api/v1/servers/${server.id}`).set(alice.auth).expect(200);
  });

  it('cannot create or revoke tokens, change the password or the profile', async () => {
    const { body: tok } = await create(alice, { name: 'automation', expiresAt: inDays(1) }).expect(201);
    const attempts = [
      t.http().post('/api/v1/auth/tokens').set(bearer(tok.token)).send({ name: 'x', expiresAt: inDays(1) }),
      t.http().delete(`/api/v1/auth/tokens/${tok.id}`).set(bearer(tok.token)),
      t.http().post('/api/v1/auth/change-password').set(bearer(tok.token)).send({ currentPassword: alice.password, newPassword: 'another password 1' }),
      t.http().put('/api/v1/auth/me').set(bearer(tok.token)).send({ fullName: 'Mallory' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('token.session_required');
    }
    const count = await t.db.query('SELECT count(*)::int AS n FROM personal_tokens WHERE user_id = $1 AND revoked_at IS NULL AND name = $2', [alice.user.id, 'x']);
    expect(count.rows[0].n).toBe(0);
  });

  it('revoking stops the token at once with 401 token.revoked, audits it, and hides it from the list', async () => {
    const { body: tok } = await create(alice, { name: 'short-lived', expiresAt: inDays(1) }).expect(201);
    await t.http().get('/api/v1/auth/me').set(bearer(tok.token)).expect(200);
    await t.http().delete(`/api/v1/auth/tokens/${tok.id}`).set(bob.auth).expect(404); // not bob's
    await t.http().delete(`/api/v1/auth/tokens/${tok.id}`).set(alice.auth).expect(204);
    const res = await t.http().get('/api/v1/auth/me').set(bearer(tok.token)).expect(401);
    expect(res.body.code).toBe('token.revoked');
    await t.http().delete(`/api/v1/auth/tokens/${tok.id}`).set(alice.auth).expect(404);
    const list = await t.http().get('/api/v1/auth/tokens').set(alice.auth).expect(200);
    expect(list.body.map((x: { id: string }) => x.id)).not.toContain(tok.id);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1 AND action = 'token.revoke'`, [alice.user.id]);
    expect(audit.rows[0].n).toBe(1);
  });

  it('stops working while its owner is disabled (401 token.revoked), and works again once enabled', async () => {
    const carol = await registerUser(t);
    const { body: tok } = await create(carol, { name: 'automation', expiresAt: inDays(30) }).expect(201);
    await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(200);
    await t.http().post(`/api/v1/admin/users/${carol.user.id}/disable`).set(admin.auth).expect(200);
    const res = await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(401);
    expect(res.body.code).toBe('token.revoked');
    await t.http().post(`/api/v1/admin/users/${carol.user.id}/enable`).set(admin.auth).expect(200);
    await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(200);
  });

  it('an expired token answers 401 token.expired; an unknown one 401 token.invalid', async () => {
    const { body: tok } = await create(alice, { name: 'expiring', expiresAt: inDays(1) }).expect(201);
    await t.db.query(`UPDATE personal_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [tok.id]);
    expect((await t.http().get('/api/v1/servers').set(bearer(tok.token)).expect(401)).body.code).toBe('token.expired');
    const unknown = `cop_${'A'.repeat(43)}`;
    expect((await t.http().get('/api/v1/servers').set(bearer(unknown)).expect(401)).body.code).toBe('token.invalid');
    expect((await t.http().get('/api/v1/servers').set(bearer('cop_short')).expect(401)).body.code).toBe('token.invalid');
  });

  it('refuses bad input with 400 and the field, never a 500', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ expiresAt: inDays(1) }, 'name'],
      [{ name: '', expiresAt: inDays(1) }, 'name'],
      [{ name: 'x'.repeat(101), expiresAt: inDays(1) }, 'name'],
      [{ name: 'n' }, 'expiresAt'],
      [{ name: 'n', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'n', expiresAt: inDays(1), scopes: ['root'] }, 'scopes'],
      [{ name: 'n', expiresAt: inDays(1), scopes: 'servers.read' }, 'scopes'],
      [{ name: 'n', expiresAt: inDays(1), scopes: ['servers.read', 'servers.read'] }, 'scopes'],
      [{ name: 'n', expiresAt: inDays(1), teams: [] }, 'teams'],
    ];
    for (const [body, field] of cases) {
      const res = await create(alice, body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await create(alice, { name: 'n', expiresAt: new Date(Date.now() - 1000).toISOString() }).expect(400)).body.code).toBe('token.expiry_in_past');
    expect((await create(alice, { name: 'n', expiresAt: inDays(400) }).expect(400)).body.code).toBe('token.expiry_too_far');
    await t.http().delete('/api/v1/auth/tokens/not-a-uuid').set(alice.auth).expect(400);
  });

  it('is not accepted by the /live socket channel (JWT access tokens only)', async () => {
    const { body: tok } = await create(alice, { name: 'socket', expiresAt: inDays(1) }).expect(201);
    const { io } = await import('socket.io-client');
    const socket = io(`${t.baseUrl}/live`, { auth: { token: tok.token }, transports: ['websocket'], reconnection: false });
    const error = await new Promise<string>((resolve) => {
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (err) => resolve(err.message));
    });
    socket.close();
    expect(error).toBe('unauthorized');
  });
});
