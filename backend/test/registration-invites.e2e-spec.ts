import type { CreatedInvite, Invite } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';

describe('registration: open or invite-only, with invite links', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: 'https://ops.example.test/' });
    admin = await registerUser(t);
  });
  afterAll(async () => { await t.close(); });

  let n = 0;
  const account = (over: Record<string, string> = {}) => {
    n++;
    return { username: `invitee_${n}`, email: `invitee_${n}@example.test`, password: 'correct horse battery', ...over };
  };
  const register = (body: Record<string, string>) => t.http().post('/api/v1/auth/register').send(body);
  const setMode = (mode: string) => t.http().put('/api/v1/admin/registration').set(admin.auth).send({ mode });
  const invite = async (body: object = {}): Promise<CreatedInvite> =>
    (await t.http().post('/api/v1/admin/invites').set(admin.auth).send(body).expect(201)).body;

  it('is open by default (the REGISTRATION variable), as the contract says', async () => {
    expect((await t.http().get('/api/v1/admin/registration').set(admin.auth).expect(200)).body).toEqual({ mode: 'open', source: 'env', updatedAt: null });
    expect((await register(account())).status).toBe(201);
  });

  it('invite-only refuses registration without an invite with 403 registration.invite_required, and says so publicly', async () => {
    const set = await setMode('invite').expect(200);
    expect(set.body).toEqual({ mode: 'invite', source: 'admin', updatedAt: expect.any(String) });
    expect((await t.http().get('/api/v1/auth/registration').expect(200)).body).toEqual({ mode: 'invite', inviteRequired: true });
    const refused = await register(account());
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'registration.invite_required' });
    // Refused before anything else is revealed: not even that a username is taken.
    const taken = await register(account({ username: admin.user.username }));
    expect(taken.body.code).toBe('registration.invite_required');
    const modes = await t.db.query(`SELECT user_id, description FROM audit_logs WHERE action = 'admin.registration_mode'`);
    expect(modes.rows).toEqual([{ user_id: admin.user.id, description: 'Set registration to invite-only' }]);
    await setMode('closed').expect(400);
  });

  it('an invite registers once, with its role; the token is stored hashed and the link uses PUBLIC_URL', async () => {
    const inv = await invite({ role: 'admin', expiresInHours: 2 });
    expect(inv).toMatchObject({ email: null, role: 'admin', status: 'pending', createdBy: admin.user.id, usedAt: null });
    expect(inv.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inv.url).toBe(`https://ops.example.test/register?invite=${inv.token}`);
    expect(Date.parse(inv.expiresAt) - Date.now()).toBeGreaterThan(7000_000);
    expect(Date.parse(inv.expiresAt) - Date.now()).toBeLessThanOrEqual(7200_000);
    const stored = await t.db.query('SELECT token_hash FROM invites WHERE id = $1', [inv.id]);
    expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(inv.token);
    const listed = (await t.http().get('/api/v1/admin/invites').set(admin.auth).expect(200)).body as Invite[];
    expect(listed.find((i) => i.id === inv.id)).not.toHaveProperty('token');

    expect((await t.http().post('/api/v1/auth/invites/check').send({ inviteToken: inv.token }).expect(200)).body)
      .toEqual({ email: null, role: 'admin', expiresAt: inv.expiresAt });
    const ok = await register(account({ inviteToken: inv.token })).expect(201);
    expect(ok.body.user.role).toBe('admin');
    const again = await register(account({ inviteToken: inv.token }));
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 403, code: 'registration.invite_invalid' });
    const check = await t.http().post('/api/v1/auth/invites/check').send({ inviteToken: inv.token });
    expect({ status: check.status, code: check.body.code }).toEqual({ status: 403, code: 'registration.invite_invalid' });
    const used = ((await t.http().get('/api/v1/admin/invites').set(admin.auth).expect(200)).body as Invite[]).find((i) => i.id === inv.id)!;
    expect(used).toMatchObject({ status: 'used', usedBy: ok.body.user.id, usedAt: expect.any(String) });
    const audit = await t.db.query(`SELECT action, description FROM audit_logs WHERE action IN ('admin.invite_create', 'auth.register') ORDER BY created_at DESC LIMIT 2`);
    expect(audit.rows.map((r) => r.action)).toEqual(['auth.register', 'admin.invite_create']);
    expect(audit.rows[0].description).toContain('with an invite (role admin)');
  });

  it('an invite for an email admits only that address; unknown, revoked and expired invites are refused', async () => {
    const forErin = await invite({ email: 'Erin@Example.test' });
    const wrong = await register(account({ inviteToken: forErin.token }));
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 403, code: 'registration.invite_email_mismatch' });
    const erin = await register(account({ email: 'erin@example.test', inviteToken: forErin.token })).expect(201);
    expect(erin.body.user.role).toBe('user');

    const unknown = await register(account({ inviteToken: 'x'.repeat(43) }));
    expect(unknown.body.code).toBe('registration.invite_invalid');

    const revoked = await invite();
    const res = await t.http().post(`/api/v1/admin/invites/${revoked.id}/revoke`).set(admin.auth).expect(200);
    expect((res.body as Invite).status).toBe('revoked');
    expect((await register(account({ inviteToken: revoked.token }))).body.code).toBe('registration.invite_invalid');
    const missing = await t.http().post('/api/v1/admin/invites/00000000-0000-4000-8000-000000000000/revoke').set(admin.auth);
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'registration.invite_not_found' });

    const expired = await invite();
    await t.db.query(`UPDATE invites SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    expect((await register(account({ inviteToken: expired.token }))).body.code).toBe('registration.invite_invalid');
    const statuses = ((await t.http().get('/api/v1/admin/invites').set(admin.auth).expect(200)).body as Invite[]).map((i) => [i.id, i.status]);
    expect(statuses).toEqual(expect.arrayContaining([[revoked.id, 'revoked'], [expired.id, 'expired'], [forErin.id, 'used']]));
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'admin.invite_revoke'`)).rows[0].n).toBe(1);
  });

  it('two registrations racing for one invite: exactly one account is created', async () => {
    const inv = await invite();
    const results = await Promise.all([register(account({ inviteToken: inv.token })), register(account({ inviteToken: inv.token }))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
  });

  it('rejects bad invite input with 400', async () => {
    for (const body of [{ role: 'root' }, { email: 'not-an-email' }, { expiresInHours: 0 }, { expiresInHours: 721 }, { expiresInHours: '5' }, { extra: true }, { email: null }]) {
      const res = await t.http().post('/api/v1/admin/invites').set(admin.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    await t.http().post('/api/v1/auth/invites/check').send({}).expect(400);
    await t.http().post('/api/v1/auth/invites/check').send({ inviteToken: 'short' }).expect(400);
    await register(account({ inviteToken: 'short' })).expect(400);
  });

  it('open again: anybody may register', async () => {
    await setMode('open').expect(200);
    expect((await t.http().get('/api/v1/auth/registration').expect(200)).body).toEqual({ mode: 'open', inviteRequired: false });
    expect((await register(account())).status).toBe(201);
  });
});

describe('registration: REGISTRATION=invite on a fresh instance', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp({ REGISTRATION: 'invite' }); });
  afterAll(async () => { await t.close(); });

  it('lets the first account register (it becomes the admin), then requires invites', async () => {
    expect((await t.http().get('/api/v1/auth/registration').expect(200)).body).toEqual({ mode: 'invite', inviteRequired: false });
    const first = await registerUser(t);
    expect(first.user.role).toBe('admin');
    expect((await t.http().get('/api/v1/auth/registration').expect(200)).body).toEqual({ mode: 'invite', inviteRequired: true });
    const second = await t.http().post('/api/v1/auth/register').send({ username: 'second_one', email: 'second@example.test', password: 'correct horse battery' });
    expect({ status: second.status, code: second.body.code }).toEqual({ status: 403, code: 'registration.invite_required' });
    expect((await t.http().get('/api/v1/admin/registration').set(first.auth).expect(200)).body).toEqual({ mode: 'invite', source: 'env', updatedAt: null });
  });
});
