import { findFreePort as freePort } from '../src/database/embedded-postgres';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { CookieJar, get, signInUpToCallback } from './support/oidc-browser';
import { startOidcProvider, TestOidcProvider } from './support/oidc-provider';

/**
 * OIDC_TEAM_MAPPING against a real OpenID Connect provider: the groups claim of each sign-in adds
 * the person to mapped teams, changes the role and removes memberships the mapping granted when a
 * group goes, never touches memberships set by hand, never removes a team's last admin, and audits
 * every change as "(single sign-on)".
 */
const CALLBACK = '/api/v1/auth/oidc/callback';
const MAPPING = 'sre:Ops:operator,sre-leads:ops:admin,devs:Web:viewer,devs:Docs:viewer,devs:Dup:viewer,ghosts:Nowhere:viewer';

describe('OpenID Connect team mapping', () => {
  let t: TestApp;
  let provider: TestOidcProvider;
  let admin: TestUser;
  const teams: Record<string, string> = {};
  beforeAll(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({
      redirectUri: `${baseUrl}${CALLBACK}`,
      users: { 'sam-sub': { email: 'sam@corp.test', email_verified: true, preferred_username: 'sam', groups: ['sre', 'devs'] } },
    });
    t = await startTestApp({
      PORT: String(port),
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_REDIRECT_URI: `${baseUrl}${CALLBACK}`,
      OIDC_ALLOW_HTTP: 'true',
      OIDC_TEAM_MAPPING: MAPPING,
    });
    admin = await registerUser(t, { username: 'first_local', email: 'first@local.test' });
    for (const name of ['Ops', 'Web', 'Docs', 'Dup', 'Dup']) {
      teams[name] = (await t.http().post('/api/v1/teams').set(admin.auth).send({ name }).expect(201)).body.id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  /** Signs sam in through the provider; the mapping is applied before the callback answers. */
  const signIn = async (): Promise<string> => {
    await provider.loginAs('sam-sub');
    const jar = new CookieJar();
    const res = await get(await signInUpToCallback(t.baseUrl, jar), jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).not.toContain('error=');
    return (await t.db.query(`SELECT id FROM users WHERE username = 'sam'`)).rows[0].id as string;
  };
  const memberships = async (userId: string) => Object.fromEntries(
    ((await t.db.query(
      'SELECT t.name, m.role, m.source FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 ORDER BY t.name',
      [userId],
    )).rows as { name: string; role: string; source: string }[]).map((r) => [r.name, `${r.role}/${r.source}`]),
  );
  const audit = async (userId: string) => (await t.db.query(
    `SELECT action, description, team_id FROM audit_logs WHERE user_id = $1 AND action LIKE 'team.%' ORDER BY created_at, id`,
    [userId],
  )).rows as { action: string; description: string; team_id: string }[];

  it('adds the person to the mapped teams with the mapped role at the first sign-in (an unknown or ambiguous team is skipped)', async () => {
    const sam = await signIn();
    expect(await memberships(sam)).toEqual({ Docs: 'viewer/oidc', Ops: 'operator/oidc', Web: 'viewer/oidc' });
    const entries = await audit(sam);
    expect(entries).toEqual(expect.arrayContaining([
      { action: 'team.member_add', description: 'Added sam to team "Ops" as operator (single sign-on)', team_id: teams.Ops },
      { action: 'team.member_add', description: 'Added sam to team "Web" as viewer (single sign-on)', team_id: teams.Web },
    ]));
    expect(entries).toHaveLength(3);
    // The team's admin sees the new member, and the entry in the team's audit log.
    const members = await t.http().get(`/api/v1/teams/${teams.Ops}/members`).set(admin.auth).expect(200);
    expect(members.body.map((m: { username: string; role: string; source: string }) => `${m.username}:${m.role}:${m.source}`))
      .toEqual(['first_local:admin:manual', 'sam:operator:oidc']);

    // Signing in again with the same groups changes nothing.
    await signIn();
    expect(await audit(sam)).toHaveLength(3);
  });

  it('follows the groups: changes the role, removes what it granted, and leaves memberships set by hand alone', async () => {
    const sam = (await t.db.query(`SELECT id FROM users WHERE username = 'sam'`)).rows[0].id as string;
    // A team admin sets sam's role in Docs by hand: from now on the mapping does not manage it.
    await t.http().put(`/api/v1/teams/${teams.Docs}/members/${sam}`).set(admin.auth).send({ role: 'operator' }).expect(200);
    await provider.setGroups('sam-sub', ['sre-leads']);
    await signIn();
    expect(await memberships(sam)).toEqual({ Docs: 'operator/manual', Ops: 'admin/oidc' });
    const entries = (await audit(sam)).slice(3);
    expect(entries).toEqual([
      { action: 'team.member_role', description: 'Changed the role of sam in team "Ops" from operator to admin (single sign-on)', team_id: teams.Ops },
      { action: 'team.member_remove', description: 'Removed sam from team "Web" (single sign-on: no longer in a mapped group)', team_id: teams.Web },
    ]);
  });

  it('never takes a team\'s last admin away: the change is skipped, and applied once another admin exists', async () => {
    const sam = (await t.db.query(`SELECT id FROM users WHERE username = 'sam'`)).rows[0].id as string;
    await t.http().post(`/api/v1/teams/${teams.Ops}/leave`).set(admin.auth).expect(204); // sam is now Ops' only admin
    const before = (await audit(sam)).length;

    await provider.setGroups('sam-sub', ['sre']); // would make sam an operator
    await signIn();
    expect((await memberships(sam)).Ops).toBe('admin/oidc');
    await provider.setGroups('sam-sub', []); // would remove sam
    await signIn();
    expect((await memberships(sam)).Ops).toBe('admin/oidc');
    expect(await audit(sam)).toHaveLength(before);

    // With another admin in the team, the provider's word applies again.
    await t.db.query(`INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'admin')`, [teams.Ops, admin.user.id]);
    await signIn();
    expect(await memberships(sam)).toEqual({ Docs: 'operator/manual' });
    expect((await audit(sam)).slice(before)).toEqual([
      { action: 'team.member_remove', description: 'Removed sam from team "Ops" (single sign-on: no longer in a mapped group)', team_id: teams.Ops },
    ]);
  });
});
