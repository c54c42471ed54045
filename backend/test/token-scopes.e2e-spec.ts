import type { TokenScope } from '@chatops/protocol';
import type { QueryRunner } from 'typeorm';
import { TokenScopeNames1764238000000 } from '../src/database/migrations/1764238000000-TokenScopeNames';
import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * Personal API token scopes are capability names, enforced where capabilities are: on a server the
 * user's capabilities are intersected with the token's scopes (403 `token.scope_denied` naming the
 * capability, `via: token`); team management needs `members.manage`, the admin's routes `admin`.
 * A matrix of routes × scopes against the real backend, with nothing changed on a deny.
 */
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Route { name: string; needs: TokenScope; call: (token: string) => Promise<{ status: number; body: { code?: string; details?: unknown[] } }>; allowed: number[] }

describe('personal API token scopes', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  let serverId: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t); // the first account: instance admin
    alice = await registerUser(t);
    serverId = (await createServer(t, admin)).id; // admin's own server: every capability
    // An allow-list, so that a token with commands.run (but not commands.unrestricted) may run `uptime`, as an operator could.
    await t.http().put(`/api/v1/commands/${serverId}/policy`).set(admin.auth).send({ allow: ['uptime'] }).expect(200);
  });
  afterAll(async () => { await t.close(); });

  const token = async (user: TestUser, scopes: string[]): Promise<string> =>
    (await t.http().post('/api/v1/auth/tokens').set(user.auth).send({ name: `t-${scopes.join('+') || 'all'}`, expiresAt: inDays(1), scopes }).expect(201)).body.token;

  // Without a connected agent, allowed actions on the agent answer 409/503; what matters is that they got past the checks.
  const routes: Route[] = [
    { name: 'GET metrics', needs: 'metrics.read', allowed: [200], call: (k) => t.http().get(`/api/v1/metrics/${serverId}/history`).set(bearer(k)) },
    { name: 'GET containers', needs: 'containers.read', allowed: [200, 409, 503], call: (k) => t.http().get(`/api/v1/docker/${serverId}/containers`).set(bearer(k)) },
    { name: 'POST command', needs: 'commands.run', allowed: [201, 409, 503], call: (k) => t.http().post(`/api/v1/commands/${serverId}`).set(bearer(k)).send({ command: 'uptime' }) },
    { name: 'POST docker restart', needs: 'docker.action', allowed: [200, 201, 409, 503], call: (k) => t.http().post(`/api/v1/docker/${serverId}/containers/abc123/restart`).set(bearer(k)) },
    { name: 'PUT server', needs: 'server.manage', allowed: [200], call: (k) => t.http().put(`/api/v1/servers/${serverId}`).set(bearer(k)).send({ name: 'renamed' }) },
    { name: 'POST server', needs: 'server.manage', allowed: [201], call: (k) => t.http().post('/api/v1/servers').set(bearer(k)).send({ name: `made-by-token-${Math.random().toString(36).slice(2, 8)}` }) },
    { name: 'POST team', needs: 'members.manage', allowed: [201], call: (k) => t.http().post('/api/v1/teams').set(bearer(k)).send({ name: `team-${Math.random().toString(36).slice(2, 8)}` }) },
    { name: 'GET admin users', needs: 'admin', allowed: [200], call: (k) => t.http().get('/api/v1/admin/users').set(bearer(k)) },
  ];
  const scopeSets: string[][] = [[], ['metrics.read'], ['metrics.read', 'docker.action'], ['commands.run'], ['server.manage'], ['members.manage'], ['admin']];

  const snapshot = async () => ({
    server: (await t.db.query('SELECT name FROM servers WHERE id = $1', [serverId])).rows[0].name as string,
    teams: Number((await t.db.query('SELECT count(*) FROM teams')).rows[0].count),
    servers: Number((await t.db.query('SELECT count(*) FROM servers')).rows[0].count),
    commands: Number((await t.db.query('SELECT count(*) FROM command_history')).rows[0].count),
  });

  for (const scopes of scopeSets) {
    it(`scopes [${scopes.join(', ') || 'none: everything'}]: each route allowed exactly when a scope names its capability`, async () => {
      const k = await token(admin, scopes);
      for (const route of routes) {
        const allowed = scopes.length === 0 || scopes.includes(route.needs);
        const before = await snapshot();
        const res = await route.call(k);
        if (allowed) {
          expect({ route: route.name, status: res.status, ok: route.allowed.includes(res.status) }).toEqual({ route: route.name, status: res.status, ok: true });
          continue;
        }
        expect({ route: route.name, status: res.status, code: res.body.code }).toEqual({ route: route.name, status: 403, code: 'token.scope_denied' });
        const readOnly = scopes.every((s) => s.endsWith('.read'));
        // A read-only token is stopped at the door for any change; otherwise the check names the capability.
        if (!readOnly || route.name.startsWith('GET')) expect(res.body.details).toEqual([{ capability: route.needs, via: 'token' }]);
        expect(await snapshot()).toEqual(before);
      }
    });
  }

  it('narrows what GET /servers reports, and never widens the user: a viewer\'s docker.action token still gets access.forbidden', async () => {
    const k = await token(admin, ['metrics.read', 'docker.action']);
    const list = await t.http().get('/api/v1/servers').set(bearer(k)).expect(200);
    const mine = list.body.find((s: { id: string }) => s.id === serverId);
    expect(mine.access.capabilities.sort()).toEqual(['docker.action', 'metrics.read', 'server.read']);

    const teamId = (await t.http().post('/api/v1/teams').set(alice.auth).send({ name: `ops-${Date.now()}` }).expect(201)).body.id;
    const teamServer = await createServer(t, alice);
    await t.http().put(`/api/v1/servers/${teamServer.id}/owner`).set(alice.auth).send({ teamId }).expect(200);
    const viewer = await registerUser(t);
    await t.http().post(`/api/v1/teams/${teamId}/members`).set(alice.auth).send({ user: viewer.user.username, role: 'viewer' }).expect(201);
    const vk = await token(viewer, ['docker.action', 'metrics.read']);
    await t.http().get(`/api/v1/metrics/${teamServer.id}/history`).set(bearer(vk)).expect(200);
    const denied = await t.http().post(`/api/v1/docker/${teamServer.id}/containers/abc123/restart`).set(bearer(vk)).expect(403);
    expect(denied.body.code).toBe('access.forbidden');
    // Scoped to metrics only, the viewer token cannot manage the team either (and the viewer could not anyway).
    const teamDenied = await t.http().post(`/api/v1/teams/${teamId}/members`).set(bearer(vk)).send({ user: admin.user.username, role: 'viewer' }).expect(403);
    expect(teamDenied.body.code).toBe('token.scope_denied');
  });

  it('accepts the legacy scope names on creation and stores the capability names', async () => {
    const res = await t.http().post('/api/v1/auth/tokens').set(alice.auth)
      .send({ name: 'legacy', expiresAt: inDays(1), scopes: ['servers.read', 'docker.act', 'commands.exec'] }).expect(201);
    expect(res.body.scopes).toEqual(['server.read', 'docker.action', 'commands.run']);
    const row = await t.db.query('SELECT scopes FROM personal_tokens WHERE id = $1', [res.body.id]);
    expect(row.rows[0].scopes).toEqual(['server.read', 'docker.action', 'commands.run']);
    const bad = await t.http().post('/api/v1/auth/tokens').set(alice.auth).send({ name: 'x', expiresAt: inDays(1), scopes: ['docker.act', 'docker.action'] }).expect(400);
    expect(JSON.stringify(bad.body.details)).toContain('scopes');
  });

  it('the migration rewrites stored legacy scopes to capability names (dropping duplicates) and leaves the others alone', async () => {
    const insert = async (scopes: string[]) => (await t.db.query(
      `INSERT INTO personal_tokens (user_id, name, token_hash, token_prefix, scopes, expires_at)
       VALUES ($1, 'old', md5(random()::text) || md5(random()::text), 'cop_old', $2, now() + interval '1 day') RETURNING id`,
      [alice.user.id, scopes],
    )).rows[0].id as string;
    const legacy = await insert(['servers.read', 'audit.read', 'docker.act', 'metrics.read']);
    const current = await insert(['metrics.read', 'admin']);
    await new TokenScopeNames1764238000000().up({ query: (sql: string) => t.db.query(sql) } as unknown as QueryRunner);
    const scopes = async (id: string) => (await t.db.query('SELECT scopes FROM personal_tokens WHERE id = $1', [id])).rows[0].scopes;
    expect(await scopes(legacy)).toEqual(['docker.action', 'metrics.read', 'server.read']);
    expect(await scopes(current)).toEqual(['metrics.read', 'admin']);
  });
});
