import type { AuditPage, PersonalToken, Server, Team } from '@chatops/protocol';
import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * Personal API tokens limited to teams, against the real backend: such a token reaches only the
 * servers of the teams it names (while its user is a member) and, with `personal`, the user's own;
 * anything else answers 404 as an unknown server does, lists are filtered, and the capability
 * scopes still apply on top.
 */
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('personal API tokens limited to teams', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let teamA: Team; // alice admin
  let teamB: Team; // bob admin, alice viewer
  let teamC: Team; // bob only
  let personal: Server; // alice's own
  let onA: Server;
  let onB: Server;
  let onC: Server;

  const createTeam = async (u: TestUser, name: string): Promise<Team> =>
    (await t.http().post('/api/v1/teams').set(u.auth).send({ name }).expect(201)).body;
  const serverIn = async (u: TestUser, team: Team): Promise<Server> => {
    const s = await createServer(t, u);
    await t.http().put(`/api/v1/servers/${s.id}/owner`).set(u.auth).send({ teamId: team.id }).expect(200);
    return s;
  };
  const token = async (u: TestUser, body: Record<string, unknown>): Promise<PersonalToken & { token: string }> =>
    (await t.http().post('/api/v1/auth/tokens').set(u.auth).send({ name: 'scoped', expiresAt: inDays(1), ...body }).expect(201)).body;
  const serverIds = async (k: string): Promise<string[]> =>
    ((await t.http().get('/api/v1/servers').set(bearer(k)).expect(200)).body as Server[]).map((s) => s.id).sort();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
    alice = await registerUser(t);
    bob = await registerUser(t);
    teamA = await createTeam(alice, 'Alpha');
    teamB = await createTeam(bob, 'Bravo');
    teamC = await createTeam(bob, 'Charlie');
    await t.http().post(`/api/v1/teams/${teamB.id}/members`).set(bob.auth).send({ user: alice.user.username, role: 'viewer' }).expect(201);
    personal = await createServer(t, alice);
    onA = await serverIn(alice, teamA);
    onB = await serverIn(bob, teamB);
    onC = await serverIn(bob, teamC);
  });
  afterAll(async () => { await t.close(); });

  it('reaches and acts on its team\'s servers only: 404 for a personal server and for another team\'s server, lists filtered', async () => {
    const { token: k, teamScope } = await token(alice, { teams: [teamA.id] });
    expect(teamScope).toEqual({ personal: false, teams: [{ id: teamA.id, name: 'Alpha' }] });
    // A session sees all three of alice's servers; the token only the one on Alpha.
    expect(((await t.http().get('/api/v1/servers').set(alice.auth).expect(200)).body as Server[]).map((s) => s.id).sort())
      .toEqual([personal.id, onA.id, onB.id].sort());
    expect(await serverIds(k)).toEqual([onA.id]);
    expect(((await t.http().get('/api/v1/teams').set(bearer(k)).expect(200)).body as Team[]).map((x) => x.id)).toEqual([teamA.id]);

    await t.http().get(`/api/v1/servers/${onA.id}`).set(bearer(k)).expect(200);
    await t.http().get(`/api/v1/metrics/${onA.id}/history`).set(bearer(k)).expect(200);
    await t.http().put(`/api/v1/servers/${onA.id}`).set(bearer(k)).send({ name: 'renamed-by-token' }).expect(200);
    expect((await t.db.query('SELECT name FROM servers WHERE id = $1', [onA.id])).rows[0].name).toBe('renamed-by-token');

    for (const s of [personal, onB, onC]) {
      for (const res of [
        await t.http().get(`/api/v1/servers/${s.id}`).set(bearer(k)),
        await t.http().get(`/api/v1/metrics/${s.id}/history`).set(bearer(k)),
        await t.http().put(`/api/v1/servers/${s.id}`).set(bearer(k)).send({ name: 'nope' }),
        await t.http().get('/api/v1/audit').query({ serverId: s.id }).set(bearer(k)),
      ]) {
        expect({ server: s.name, status: res.status, code: res.body.code }).toEqual({ server: s.name, status: 404, code: 'server.not_found' });
      }
    }
    // The audit log through the token: Alpha's entries, none of alice's personal server.
    const audit = (await t.http().get('/api/v1/audit').set(bearer(k)).expect(200)).body as AuditPage;
    expect(audit.items.length).toBeGreaterThan(0);
    expect(audit.items.every((e) => e.serverId !== personal.id && e.serverId !== onB.id)).toBe(true);

    // It cannot put a server where it would not reach it.
    const made = await t.http().post('/api/v1/servers').set(bearer(k)).send({ name: 'personal-by-token' }).expect(403);
    expect(made.body).toMatchObject({ code: 'token.scope_denied', details: [{ team: 'personal', via: 'token' }] });
    const moved = await t.http().put(`/api/v1/servers/${onA.id}/owner`).set(bearer(k)).send({ teamId: null }).expect(403);
    expect(moved.body.code).toBe('token.scope_denied');
    expect((await t.db.query('SELECT team_id FROM servers WHERE id = $1', [onA.id])).rows[0].team_id).toBe(teamA.id);
  });

  it('personal plus a team; the team role and the capability scopes still apply on top', async () => {
    const { token: k } = await token(alice, { teams: ['personal', teamB.id] });
    expect(await serverIds(k)).toEqual([personal.id, onB.id].sort());
    await t.http().get(`/api/v1/servers/${personal.id}`).set(bearer(k)).expect(200);
    await t.http().get(`/api/v1/servers/${onA.id}`).set(bearer(k)).expect(404);
    // alice is a viewer on Bravo: the token does not widen that.
    const put = await t.http().put(`/api/v1/servers/${onB.id}`).set(bearer(k)).send({ name: 'x' }).expect(403);
    expect(put.body.code).toBe('access.forbidden');

    const { token: readOnly } = await token(alice, { teams: [teamA.id], scopes: ['metrics.read'] });
    await t.http().get(`/api/v1/metrics/${onA.id}/history`).set(bearer(readOnly)).expect(200);
    const change = await t.http().put(`/api/v1/servers/${onA.id}`).set(bearer(readOnly)).send({ name: 'y' }).expect(403);
    expect(change.body.code).toBe('token.scope_denied');
    await t.http().get(`/api/v1/metrics/${personal.id}/history`).set(bearer(readOnly)).expect(404);
    const { token: commandsOnly } = await token(alice, { teams: [teamA.id], scopes: ['commands.run'] });
    const denied = await t.http().get(`/api/v1/metrics/${onA.id}/history`).set(bearer(commandsOnly)).expect(403);
    expect(denied.body).toMatchObject({ code: 'token.scope_denied', details: [{ capability: 'metrics.read', via: 'token' }] });
  });

  it('refuses teams the user is not a member of, and bad input, creating nothing', async () => {
    const count = async () => Number((await t.db.query('SELECT count(*) FROM personal_tokens')).rows[0].count);
    const before = await count();
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const teams of [[teamC.id], [teamA.id, teamC.id], [missing]]) {
      const res = await t.http().post('/api/v1/auth/tokens').set(alice.auth).send({ name: 'x', expiresAt: inDays(1), teams }).expect(403);
      expect(res.body.code).toBe('token.team_not_member');
      expect(res.body.details).toEqual(teams.filter((id) => id !== teamA.id).map((teamId) => ({ teamId })));
    }
    for (const teams of [[], ['nope'], [3], 'personal', [teamA.id, teamA.id], [{}]]) {
      const res = await t.http().post('/api/v1/auth/tokens').set(alice.auth).send({ name: 'x', expiresAt: inDays(1), teams });
      expect({ teams, status: res.status }).toEqual({ teams, status: 400 });
    }
    expect(await count()).toBe(before);
  });

  it('lists each token\'s teams by name (null when not limited)', async () => {
    const scoped = await token(alice, { teams: [teamB.id, 'PERSONAL', teamA.id] });
    const plain = await token(alice, {});
    const list = (await t.http().get('/api/v1/auth/tokens').set(alice.auth).expect(200)).body as PersonalToken[];
    expect(list.find((x) => x.id === scoped.id)?.teamScope).toEqual({ personal: true, teams: [{ id: teamA.id, name: 'Alpha' }, { id: teamB.id, name: 'Bravo' }] });
    expect(list.find((x) => x.id === plain.id)?.teamScope).toBeNull();
    const audit = await t.db.query(`SELECT description FROM audit_logs WHERE action = 'token.create' ORDER BY created_at DESC LIMIT 2`);
    expect(audit.rows.map((r: { description: string }) => r.description).join('\n')).toContain('teams: "Bravo", personal, "Alpha"');
  });

  it('the instance admin\'s token limited to teams loses the view of every server', async () => {
    const adminTeam = await createTeam(admin, 'Delta');
    const { token: k } = await token(admin, { teams: [adminTeam.id] });
    expect(await serverIds(k)).toEqual([]);
    await t.http().get(`/api/v1/servers/${personal.id}`).set(bearer(k)).expect(404);
    await t.http().get(`/api/v1/servers/${onC.id}`).set(bearer(k)).expect(404);
    await t.http().get(`/api/v1/servers/${onC.id}`).set(admin.auth).expect(200);
    expect(((await t.http().get('/api/v1/teams').set(bearer(k)).expect(200)).body as Team[]).map((x) => x.id)).toEqual([adminTeam.id]);
  });

  it('a user who leaves the team takes the reach away from the token', async () => {
    const { token: k } = await token(alice, { teams: [teamB.id] });
    await t.http().get(`/api/v1/servers/${onB.id}`).set(bearer(k)).expect(200);
    await t.http().post(`/api/v1/teams/${teamB.id}/leave`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/servers/${onB.id}`).set(bearer(k)).expect(404);
    expect(await serverIds(k)).toEqual([]);
    expect((await t.http().get('/api/v1/teams').set(bearer(k)).expect(200)).body).toEqual([]);
  });
});
