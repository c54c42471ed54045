import { createHash } from 'node:crypto';
import type { CreatedTeamInvite, Team, TeamInvite, TeamMember } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * Team invite links against the real backend: a team admin makes one (secret once, SHA-256 at
 * rest), lists and revokes pending ones; a signed-in user previews and accepts it and becomes a
 * member with its role; expired, revoked, used-up and unknown links answer with a code; everything
 * is audited under the team, and bad input is a 4xx that changes nothing.
 */
describe('team invite links', () => {
  let t: TestApp;
  let admin: TestUser; // instance admin
  let alice: TestUser; // team admin
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let team: Team;
  let other: Team; // dave's

  const invite = async (u: TestUser, teamId: string, body: Record<string, unknown> = { role: 'viewer' }): Promise<CreatedTeamInvite> =>
    (await t.http().post(`/api/v1/teams/${teamId}/invites`).set(u.auth).send(body).expect(201)).body;
  const preview = (u: TestUser, token: string) => t.http().get(`/api/v1/team-invites/${token}`).set(u.auth);
  const accept = (u: TestUser, token: string) => t.http().post(`/api/v1/team-invites/${token}/accept`).set(u.auth);
  const members = async (teamId: string): Promise<[string, string][]> =>
    ((await t.http().get(`/api/v1/teams/${teamId}/members`).set(alice.auth).expect(200)).body as TeamMember[]).map((m) => [m.username, m.role]);
  const inviteRows = async () => (await t.db.query('SELECT * FROM team_invites ORDER BY id')).rows;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
    alice = await registerUser(t);
    bob = await registerUser(t);
    carol = await registerUser(t);
    dave = await registerUser(t);
    team = (await t.http().post('/api/v1/teams').set(alice.auth).send({ name: 'Platform' }).expect(201)).body;
    other = (await t.http().post('/api/v1/teams').set(dave.auth).send({ name: 'Elsewhere' }).expect(201)).body;
  });
  afterAll(async () => { await t.close(); });

  it('creates a link with defaults (7 days, 1 use), shows the secret once, stores only its hash, and lists it without it', async () => {
    const res = await t.http().post(`/api/v1/teams/${team.id}/invites`).set(alice.auth).send({ role: 'operator' }).expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.body as CreatedTeamInvite;
    expect(created).toMatchObject({ teamId: team.id, role: 'operator', maxUses: 1, uses: 0, createdBy: alice.user.username });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days = (new Date(created.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const row = (await t.db.query('SELECT token_hash FROM team_invites WHERE id = $1', [created.id])).rows[0];
    expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(await inviteRows())).not.toContain(created.token);

    const list = (await t.http().get(`/api/v1/teams/${team.id}/invites`).set(alice.auth).expect(200)).body as TeamInvite[];
    expect(list.map((i) => i.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.token);
    const audit = await t.db.query(`SELECT team_id, user_id, description FROM audit_logs WHERE action = 'invite.create' ORDER BY created_at DESC LIMIT 1`);
    expect(audit.rows[0]).toMatchObject({ team_id: team.id, user_id: alice.user.id });
    expect(audit.rows[0].description).not.toContain(created.token);
  });

  it('a signed-in user sees the team and role, accepts and becomes a member; a second accept is 409, the used-up link 410', async () => {
    const { token, id } = await invite(alice, team.id, { role: 'operator' });
    expect((await preview(bob, token).expect(200)).body).toEqual({ teamId: team.id, teamName: 'Platform', role: 'operator', expiresAt: expect.any(String) });
    expect((await accept(bob, token).expect(201)).body).toEqual({ teamId: team.id, teamName: 'Platform', role: 'operator' });
    expect(await members(team.id)).toContainEqual([bob.user.username, 'operator']);
    const audit = await t.db.query(`SELECT team_id, user_id FROM audit_logs WHERE action = 'invite.accept'`);
    expect(audit.rows).toEqual([{ team_id: team.id, user_id: bob.user.id }]);
    // Its only use is taken: gone from the pending list, and 410 for anyone else.
    expect(((await t.http().get(`/api/v1/teams/${team.id}/invites`).set(alice.auth).expect(200)).body as TeamInvite[]).map((i) => i.id)).not.toContain(id);
    const usedUp = await accept(carol, token).expect(410);
    expect(usedUp.body.code).toBe('team.invite_used_up');
    expect((await preview(carol, token).expect(410)).body.code).toBe('team.invite_used_up');

    // An existing member with a fresh link: 409, and the link keeps its use.
    const again = await invite(alice, team.id, { role: 'admin', maxUses: 3, expiresInDays: 30 });
    const dup = await accept(bob, again.token).expect(409);
    expect(dup.body.code).toBe('team.already_member');
    expect((await t.db.query('SELECT uses FROM team_invites WHERE id = $1', [again.id])).rows[0].uses).toBe(0);
    expect(await members(team.id)).toContainEqual([bob.user.username, 'operator']);
  });

  it('a link with several uses admits that many people', async () => {
    const { token, id } = await invite(alice, team.id, { role: 'viewer', maxUses: 2 });
    await accept(carol, token).expect(201);
    await accept(admin, token).expect(201);
    expect((await accept(dave, token).expect(410)).body.code).toBe('team.invite_used_up');
    expect((await t.db.query('SELECT uses FROM team_invites WHERE id = $1', [id])).rows[0].uses).toBe(2);
    expect(await members(team.id)).toEqual(expect.arrayContaining([[carol.user.username, 'viewer'], [admin.user.username, 'viewer']]));
    await t.http().delete(`/api/v1/teams/${team.id}/members/${carol.user.id}`).set(alice.auth).expect(204);
    await t.http().delete(`/api/v1/teams/${team.id}/members/${admin.user.id}`).set(alice.auth).expect(204);
  });

  it('revoked and expired links answer 410 with their code; revoking is audited and another team\'s invite id is 404', async () => {
    const revoked = await invite(alice, team.id);
    // Another team's admin cannot see or revoke it, through their team or ours.
    expect((await t.http().delete(`/api/v1/teams/${other.id}/invites/${revoked.id}`).set(dave.auth).expect(404)).body.code).toBe('team.invite_not_found');
    expect((await t.http().delete(`/api/v1/teams/${team.id}/invites/${revoked.id}`).set(dave.auth).expect(404)).body.code).toBe('team.not_found');
    await t.http().delete(`/api/v1/teams/${team.id}/invites/${revoked.id}`).set(alice.auth).expect(204);
    expect((await t.http().delete(`/api/v1/teams/${team.id}/invites/${revoked.id}`).set(alice.auth).expect(404)).body.code).toBe('team.invite_not_found');
    expect((await accept(dave, revoked.token).expect(410)).body.code).toBe('team.invite_revoked');
    expect((await t.db.query(`SELECT team_id FROM audit_logs WHERE action = 'invite.revoke'`)).rows).toEqual([{ team_id: team.id }]);

    const expired = await invite(alice, team.id);
    await t.db.query(`UPDATE team_invites SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
    expect((await preview(dave, expired.token).expect(410)).body.code).toBe('team.invite_expired');
    expect((await accept(dave, expired.token).expect(410)).body.code).toBe('team.invite_expired');
    expect(((await t.http().get(`/api/v1/teams/${team.id}/invites`).set(alice.auth).expect(200)).body as TeamInvite[]).map((i) => i.id))
      .not.toEqual(expect.arrayContaining([revoked.id, expired.id]));
    expect(await members(team.id)).not.toContainEqual([dave.user.username, expect.any(String)]);
  });

  it('only the team\'s admins (and the instance admin) manage links; members get 403, others 404', async () => {
    const viewerLink = await invite(alice, team.id, { role: 'viewer' });
    await accept(carol, viewerLink.token).expect(201);
    for (const req of [
      t.http().post(`/api/v1/teams/${team.id}/invites`).set(carol.auth).send({ role: 'admin' }),
      t.http().get(`/api/v1/teams/${team.id}/invites`).set(carol.auth),
      t.http().delete(`/api/v1/teams/${team.id}/invites/${viewerLink.id}`).set(carol.auth),
    ]) {
      const res = await req;
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'team.forbidden' });
    }
    const outsider = await t.http().post(`/api/v1/teams/${team.id}/invites`).set(dave.auth).send({ role: 'admin' });
    expect({ status: outsider.status, code: outsider.body.code }).toEqual({ status: 404, code: 'team.not_found' });
    await t.http().get(`/api/v1/teams/${team.id}/invites`).set(admin.auth).expect(200);
  });

  it('bad input: unknown and garbage tokens, bad ids and bodies are 4xx and change nothing', async () => {
    const before = await inviteRows();
    const membersBefore = (await t.db.query('SELECT count(*)::int AS n FROM team_members')).rows[0].n;
    for (const token of ['A'.repeat(43), 'nope', '%00', 'x'.repeat(500), "'; DROP TABLE teams; --"]) {
      const p = await preview(dave, encodeURIComponent(token));
      const a = await accept(dave, encodeURIComponent(token));
      expect({ token, p: [p.status, p.body.code], a: [a.status, a.body.code] })
        .toEqual({ token, p: [404, 'team.invite_not_found'], a: [404, 'team.invite_not_found'] });
    }
    for (const body of [{}, { role: 'owner' }, { role: 'viewer', expiresInDays: 0 }, { role: 'viewer', expiresInDays: 31 }, { role: 'viewer', maxUses: 0 },
      { role: 'viewer', maxUses: 101 }, { role: 'viewer', maxUses: 1.5 }, { role: 'viewer', expiresInDays: '7' }, { role: 'viewer', extra: 1 }]) {
      const res = await t.http().post(`/api/v1/teams/${team.id}/invites`).set(alice.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    await t.http().post('/api/v1/teams/not-a-uuid/invites').set(alice.auth).send({ role: 'viewer' }).expect(400);
    await t.http().delete(`/api/v1/teams/${team.id}/invites/not-a-uuid`).set(alice.auth).expect(400);
    expect((await t.http().delete(`/api/v1/teams/${team.id}/invites/00000000-0000-4000-8000-000000000000`).set(alice.auth).expect(404)).body.code)
      .toBe('team.invite_not_found');
    await t.http().get(`/api/v1/team-invites/${'A'.repeat(43)}`).expect(401); // signed in only
    expect(await inviteRows()).toEqual(before);
    expect((await t.db.query('SELECT count(*)::int AS n FROM team_members')).rows[0].n).toBe(membersBefore);
  });

  it('a personal API token cannot accept a link (session only); with members.manage it can create one', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const k = (await t.http().post('/api/v1/auth/tokens').set(alice.auth).send({ name: 'inv', expiresAt, scopes: ['members.manage'] }).expect(201)).body.token;
    const link = (await t.http().post(`/api/v1/teams/${team.id}/invites`).set({ Authorization: `Bearer ${k}` }).send({ role: 'viewer' }).expect(201)).body;
    const dk = (await t.http().post('/api/v1/auth/tokens').set(dave.auth).send({ name: 'd', expiresAt }).expect(201)).body.token;
    const res = await t.http().post(`/api/v1/team-invites/${link.token}/accept`).set({ Authorization: `Bearer ${dk}` }).expect(403);
    expect(res.body.code).toBe('token.session_required');
    const readOnly = (await t.http().post('/api/v1/auth/tokens').set(alice.auth).send({ name: 'ro', expiresAt, scopes: ['server.read'] }).expect(201)).body.token;
    expect((await t.http().post(`/api/v1/teams/${team.id}/invites`).set({ Authorization: `Bearer ${readOnly}` }).send({ role: 'viewer' }).expect(403)).body.code)
      .toBe('token.scope_denied');
  });
});
