import type { AuditPage, Server, Team, TeamMember } from '@chatops/protocol';
import { connectAgent } from './support/agent-client';
import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { collect, connectLive } from './support/live-client';

/**
 * Teams over REST against the real backend: creating, membership and roles (never without an
 * admin), moving servers between a user and a team, and what members then see.
 */
describe('teams', () => {
  let t: TestApp;
  let admin: TestUser; // the instance admin (first user)
  let alice: TestUser; // creates the team
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser; // never a member
  const missing = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
    alice = await registerUser(t);
    bob = await registerUser(t);
    carol = await registerUser(t);
    mallory = await registerUser(t);
  });
  afterAll(async () => { await t.close(); });

  const createTeam = async (u: TestUser, name: string): Promise<Team> =>
    (await t.http().post('/api/v1/teams').set(u.auth).send({ name }).expect(201)).body;
  const members = async (u: TestUser, teamId: string): Promise<TeamMember[]> =>
    (await t.http().get(`/api/v1/teams/${teamId}/members`).set(u.auth).expect(200)).body;

  it('creates a team whose creator is its admin, listed only for its members', async () => {
    const team = await createTeam(alice, '  Platform  ');
    expect(team).toMatchObject({ name: 'Platform', role: 'admin', memberCount: 1, serverCount: 0 });
    const mine = (await t.http().get('/api/v1/teams').set(alice.auth).expect(200)).body as Team[];
    expect(mine.map((x) => x.id)).toContain(team.id);
    expect((await t.http().get('/api/v1/teams').set(mallory.auth).expect(200)).body).toEqual([]);
    // The instance admin sees every team, without a role.
    const all = (await t.http().get('/api/v1/teams').set(admin.auth).expect(200)).body as Team[];
    expect(all.find((x) => x.id === team.id)).toMatchObject({ role: null });
  });

  it('validates input: names, roles, ids and unknown fields', async () => {
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 3 }, { name: 'ok', extra: 1 }]) {
      const res = await t.http().post('/api/v1/teams').set(alice.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    const team = await createTeam(alice, 'validation');
    for (const body of [{ user: bob.user.username, role: 'owner' }, { user: '', role: 'viewer' }, { role: 'viewer' }, { user: bob.user.username }]) {
      const res = await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    await t.http().get('/api/v1/teams/not-a-uuid').set(alice.auth).expect(400);
    await t.http().put(`/api/v1/teams/${team.id}/members/not-a-uuid`).set(alice.auth).send({ role: 'viewer' }).expect(400);
    await t.http().put(`/api/v1/servers/${missing}/owner`).set(alice.auth).send({ teamId: 'nope' }).expect(400);
    await t.http().put(`/api/v1/servers/${missing}/owner`).set(alice.auth).send({}).expect(400);
  });

  it('answers 404 for a team you are not in, exactly as for one that does not exist', async () => {
    const team = await createTeam(alice, 'secret');
    const theirs = await t.http().get(`/api/v1/teams/${team.id}`).set(mallory.auth);
    const none = await t.http().get(`/api/v1/teams/${missing}`).set(mallory.auth);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ code: 'team.not_found', message: none.body.message });
    for (const [method, path, body] of [
      ['get', `/api/v1/teams/${team.id}/members`],
      ['put', `/api/v1/teams/${team.id}`, { name: 'pwned' }],
      ['delete', `/api/v1/teams/${team.id}`],
      ['post', `/api/v1/teams/${team.id}/members`, { user: mallory.user.username, role: 'admin' }],
      ['post', `/api/v1/teams/${team.id}/leave`],
    ] as const) {
      const req = t.http()[method](path).set(mallory.auth);
      const res = body ? await req.send(body) : await req;
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 404, code: 'team.not_found' });
    }
    expect((await t.http().get(`/api/v1/teams/${team.id}`).set(alice.auth).expect(200)).body.name).toBe('secret');
  });

  it('adds members by username or email, refuses unknown users and duplicates, and lets only admins manage', async () => {
    const team = await createTeam(alice, 'ops');
    const added = await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username.toUpperCase(), role: 'viewer' }).expect(201);
    expect(added.body).toMatchObject({ userId: bob.user.id, username: bob.user.username, role: 'viewer' });
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: carol.user.email, role: 'operator' }).expect(201);
    const unknown = await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: 'nobody_here', role: 'viewer' }).expect(404);
    expect(unknown.body.code).toBe('team.user_not_found');
    const dup = await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.email, role: 'admin' }).expect(409);
    expect(dup.body.code).toBe('team.already_member');

    // A viewer sees the team and its members but manages nothing.
    expect((await t.http().get(`/api/v1/teams/${team.id}`).set(bob.auth).expect(200)).body).toMatchObject({ role: 'viewer', memberCount: 3 });
    expect((await members(bob, team.id)).map((m) => [m.username, m.role])).toEqual([
      [alice.user.username, 'admin'], [carol.user.username, 'operator'], [bob.user.username, 'viewer'],
    ]);
    const before = await t.db.query('SELECT * FROM team_members WHERE team_id = $1 ORDER BY user_id', [team.id]);
    for (const [method, path, body] of [
      ['post', `/api/v1/teams/${team.id}/members`, { user: mallory.user.username, role: 'viewer' }],
      ['put', `/api/v1/teams/${team.id}/members/${bob.user.id}`, { role: 'admin' }],
      ['delete', `/api/v1/teams/${team.id}/members/${carol.user.id}`],
      ['put', `/api/v1/teams/${team.id}`, { name: 'mine now' }],
      ['delete', `/api/v1/teams/${team.id}`],
    ] as const) {
      for (const who of [bob, carol]) {
        const req = t.http()[method](path).set(who.auth);
        const res = body ? await req.send(body) : await req;
        expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 403, code: 'team.forbidden' });
      }
    }
    expect((await t.db.query('SELECT * FROM team_members WHERE team_id = $1 ORDER BY user_id', [team.id])).rows).toEqual(before.rows);
  });

  it('never leaves a team without an admin', async () => {
    const team = await createTeam(alice, 'solo');
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username, role: 'viewer' }).expect(201);
    expect((await t.http().put(`/api/v1/teams/${team.id}/members/${alice.user.id}`).set(alice.auth).send({ role: 'viewer' }).expect(409)).body.code).toBe('team.last_admin');
    expect((await t.http().delete(`/api/v1/teams/${team.id}/members/${alice.user.id}`).set(alice.auth).expect(409)).body.code).toBe('team.last_admin');
    expect((await t.http().post(`/api/v1/teams/${team.id}/leave`).set(alice.auth).expect(409)).body.code).toBe('team.last_admin');
    // With a second admin, the first may step down and leave.
    await t.http().put(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(alice.auth).send({ role: 'admin' }).expect(200);
    await t.http().post(`/api/v1/teams/${team.id}/leave`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/teams/${team.id}`).set(alice.auth).expect(404);
    expect((await members(bob, team.id)).map((m) => [m.userId, m.role])).toEqual([[bob.user.id, 'admin']]);
    // Two admins demoting each other at once: one of them stays admin.
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(bob.auth).send({ user: carol.user.username, role: 'admin' }).expect(201);
    const [a, b] = await Promise.all([
      t.http().put(`/api/v1/teams/${team.id}/members/${carol.user.id}`).set(bob.auth).send({ role: 'viewer' }),
      t.http().put(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(carol.auth).send({ role: 'viewer' }),
    ]);
    // The loser either finds itself the last admin (409) or, when the winner's change landed
    // first, no longer an admin at all (403): either way it changes nothing.
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(won.status).toBe(200);
    expect([[409, 'team.last_admin'], [403, 'team.forbidden']]).toContainEqual([lost.status, lost.body.code]);
    const admins = await t.db.query(`SELECT count(*)::int AS n FROM team_members WHERE team_id = $1 AND role = 'admin'`, [team.id]);
    expect(admins.rows[0].n).toBe(1);
    // Unknown member ids.
    expect((await t.http().delete(`/api/v1/teams/${team.id}/members/${mallory.user.id}`).set(a.status === 200 ? bob.auth : carol.auth).expect(404)).body.code).toBe('team.member_not_found');
  });

  it('moves servers into a team and back, audited for the team, and the team sees exactly its servers', async () => {
    const team = await createTeam(alice, 'fleet');
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username, role: 'viewer' }).expect(201);
    const server = await createServer(t, alice);
    const personal = await createServer(t, alice);

    // Only an admin of the target team may move a server in; another user's team is unknown.
    const malloryTeam = await createTeam(mallory, 'elsewhere');
    expect((await t.http().put(`/api/v1/servers/${server.id}/owner`).set(alice.auth).send({ teamId: malloryTeam.id }).expect(404)).body.code).toBe('team.not_found');
    const moved = await t.http().put(`/api/v1/servers/${server.id}/owner`).set(alice.auth).send({ teamId: team.id }).expect(200);
    expect(moved.body.access).toMatchObject({ via: 'admin', teamId: team.id });

    // Bob (viewer) sees the team server, read-only, and not alice's personal one.
    const list = (await t.http().get('/api/v1/servers').set(bob.auth).expect(200)).body as Server[];
    expect(list.map((s) => s.id)).toEqual([server.id]);
    expect(list[0].access).toEqual({ via: 'viewer', teamId: team.id, capabilities: ['server.read', 'metrics.read', 'containers.read', 'alerts.read'], breakGlass: false });
    await t.http().get(`/api/v1/servers/${personal.id}`).set(bob.auth).expect(404);
    const denied = await t.http().put(`/api/v1/servers/${server.id}`).set(bob.auth).send({ name: 'renamed' }).expect(403);
    expect(denied.body).toMatchObject({ code: 'access.forbidden', details: [{ capability: 'server.manage', via: 'viewer' }] });
    expect(denied.body.message).toContain('server.manage');
    expect((await t.http().get(`/api/v1/teams/${team.id}`).set(bob.auth).expect(200)).body.serverCount).toBe(1);

    // Bob sees the move in the audit log, as a member of the team.
    const audit = (await t.http().get(`/api/v1/audit?serverId=${server.id}`).set(bob.auth).expect(200)).body as AuditPage;
    expect(audit.items.map((e) => e.action)).toContain('server.move');
    expect(audit.items.find((e) => e.action === 'server.move')).toMatchObject({ teamId: team.id, actingAsAdmin: false });

    // A team with servers cannot be deleted.
    expect((await t.http().delete(`/api/v1/teams/${team.id}`).set(alice.auth).expect(409)).body.code).toBe('team.has_servers');

    // Removing bob takes the server out of his sight at once.
    await t.http().delete(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/servers/${server.id}`).set(bob.auth).expect(404);
    expect((await t.http().get('/api/v1/servers').set(bob.auth).expect(200)).body).toEqual([]);

    // Back to alice personally; then the team can go.
    const back = await t.http().put(`/api/v1/servers/${server.id}/owner`).set(alice.auth).send({ teamId: null }).expect(200);
    expect(back.body.access).toMatchObject({ via: 'owner', teamId: null });
    await t.http().delete(`/api/v1/teams/${team.id}`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/teams/${team.id}`).set(alice.auth).expect(404);
    const actions = (await t.db.query(`SELECT action FROM audit_logs WHERE user_id = $1 AND action LIKE 'team.%' OR (action = 'server.move' AND server_id = $2) ORDER BY created_at, id`, [alice.user.id, server.id])).rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['team.create', 'team.member_add', 'team.member_remove', 'server.move', 'team.delete']));
  });

  it('renames a team (team admins), audited so members see it', async () => {
    const team = await createTeam(alice, 'old name');
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: carol.user.username, role: 'operator' }).expect(201);
    const renamed = await t.http().put(`/api/v1/teams/${team.id}`).set(alice.auth).send({ name: 'new name' }).expect(200);
    expect(renamed.body).toMatchObject({ id: team.id, name: 'new name', role: 'admin' });
    const audit = (await t.http().get('/api/v1/audit?action=team.rename').set(carol.auth).expect(200)).body as AuditPage;
    expect(audit.items.map((e) => e.description)).toContain('Renamed team "old name" to "new name"');
    expect((await t.http().get('/api/v1/audit?action=team.rename').set(mallory.auth).expect(200)).body.items).toEqual([]);
  });

  it('drops /live subscriptions and fleet summaries the moment a member is removed or the server leaves the team', async () => {
    const team = await createTeam(alice, 'live');
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username, role: 'viewer' }).expect(201);
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: carol.user.username, role: 'viewer' }).expect(201);
    const server = await createServer(t, alice);
    await t.http().put(`/api/v1/servers/${server.id}/owner`).set(alice.auth).send({ teamId: team.id }).expect(200);
    const key = await createApiKey(t, alice, server.id);

    const sockets = await Promise.all([bob, carol, mallory].map((u) => connectLive(t.baseUrl, u.accessToken)));
    try {
      const [b, c, m] = sockets;
      expect(await b.timeout(10_000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
      expect(await c.timeout(10_000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
      expect(await m.timeout(10_000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: false, error: 'not_found' });
      // The fleet stream covers the team's servers for its members only.
      const fleetB = collect(b, 'fleet_summary');
      const fleetM = collect(m, 'fleet_summary');
      expect(await b.timeout(10_000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
      expect(await m.timeout(10_000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
      expect(fleetB.map((f) => f.serverId)).toContain(server.id);
      expect(fleetM.map((f) => f.serverId)).not.toContain(server.id);

      // Bob is removed: his subscription goes; carol's stays.
      await t.http().delete(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(alice.auth).expect(204);
      const statusB = collect(b, 'server_status');
      const statusC = collect(c, 'server_status');
      const fleetBefore = fleetB.length;
      const agent = await connectAgent(t.baseUrl, key.key);
      try {
        await waitFor(() => statusC.length, (n) => n > 0, 10_000, 'carol sees the server come online');
        // The same broadcast reached carol; bob, no longer in the room, got nothing.
        expect(statusB).toEqual([]);
        expect(fleetB.slice(fleetBefore).filter((f) => f.serverId === server.id)).toEqual([]);
        expect(fleetM.filter((f) => f.serverId === server.id)).toEqual([]);

        // The server leaves the team (back to alice): carol's subscription goes too.
        await t.http().put(`/api/v1/servers/${server.id}/owner`).set(alice.auth).send({ teamId: null }).expect(200);
        const before = statusC.length;
        agent.close();
        const aliceSocket = await connectLive(t.baseUrl, alice.accessToken);
        try {
          const statusA = collect(aliceSocket, 'server_status');
          expect(await aliceSocket.timeout(10_000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
          const again = await connectAgent(t.baseUrl, key.key);
          await waitFor(() => statusA.length, (n) => n > 0, 10_000, 'alice sees the server come online');
          again.close();
          expect(statusC.length).toBe(before);
        } finally {
          aliceSocket.close();
        }
      } finally {
        agent.close();
      }
    } finally {
      for (const s of sockets) s.close();
    }
  });
});
