import { ROLE_CAPABILITIES, READ_CAPABILITIES, type Capability, type TeamRole } from '@chatops/protocol';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../src/common/decorators';
import { AccessService } from '../src/modules/access/access.service';
import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { connectLive, type LiveClient } from './support/live-client';

/**
 * The access matrix, generated from a table of routes and socket events, each naming the capability
 * it needs: for every entry × caller (no role, viewer, operator, team admin, the instance admin
 * without a role, another team's admin) the real backend must allow or deny exactly as the role
 * sets in `@chatops/protocol` say, and a deny must leave the database untouched (row hashes of
 * every table an action could write). The instance admin's use of a capability beyond reading is
 * break-glass: allowed, and recorded as `access.break_glass` on the server.
 *
 * No agent is connected, so allowed requests that need one answer 503 (REST) or `agent_offline`
 * (sockets): that is past every access check, and distinct from a deny.
 */
type Caller = 'none' | 'viewer' | 'operator' | 'teamAdmin' | 'instanceAdmin' | 'otherTeamAdmin';
const CALLERS: Caller[] = ['none', 'viewer', 'operator', 'teamAdmin', 'instanceAdmin', 'otherTeamAdmin'];
const ROLE_OF: Partial<Record<Caller, TeamRole>> = { viewer: 'viewer', operator: 'operator', teamAdmin: 'admin' };

type Expectation = 'allow' | 'forbidden' | 'not_found';
function expected(caller: Caller, cap: Capability): Expectation {
  const role = ROLE_OF[caller];
  if (role) return ROLE_CAPABILITIES[role].includes(cap) ? 'allow' : 'forbidden';
  return caller === 'instanceAdmin' ? 'allow' : 'not_found';
}

/** What one entry acts on; fresh per call where an allowed call would use it up. */
interface Fixture { serverId: string; keyId: string; alertId: string; commandServerId: string; ruleId: string; silenceId: string; inviteId: string }

interface RestEntry {
  kind: 'rest';
  name: string;
  cap: Capability;
  method: 'get' | 'post' | 'put' | 'delete';
  path: (f: Fixture) => string;
  body?: (f: Fixture) => object;
  /** The status an allowed call answers. */
  allowed: number;
  /** Builds a fresh fixture (destructive entries). */
  fresh?: boolean;
  /** A route not about one server (a list with a server filter): no `x-capability` of its own. */
  filterOnly?: boolean;
  /**
   * A route about the team rather than one of its servers (invite links): a role without the
   * capability gets 403 `team.forbidden`, and the instance admin acting on it is flagged in the
   * team's audit entry (`acting_as_admin`) instead of a server break-glass entry.
   */
  team?: boolean;
}
interface SocketEntry {
  kind: 'socket';
  name: string;
  cap: Capability;
  call: (socket: LiveClient, f: Fixture) => Promise<{ ok: boolean; error?: string }>;
  /** The ack an allowed call gets. */
  allowed: { ok: boolean; error?: string };
}
type Entry = RestEntry | SocketEntry;

const TABLES = [
  'servers', 'teams', 'team_members', 'api_keys', 'alerts', 'alert_thresholds', 'alert_silences', 'command_history',
  'server_command_policies', 'terminal_sessions', 'audit_logs', 'users', 'refresh_tokens', 'team_invites',
];

describe('access matrix (routes and socket events × roles)', () => {
  let t: TestApp;
  const users = {} as Record<Caller, TestUser>;
  const sockets = {} as Record<Caller, LiveClient>;
  let teamId: string;
  let thresholdId: string;
  let base: Fixture;
  let targetSeq = 0;

  const snapshot = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await t.db.query(`SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h FROM ${table} x`);
      out[table] = `${rows[0].n}:${rows[0].h}`;
    }
    return out;
  };

  /** A server of the team (created by its admin, then moved in), with a key, an open alert, a rule and a silence. */
  const createInvite = async (): Promise<string> =>
    (await t.http().post(`/api/v1/teams/${teamId}/invites`).set(users.teamAdmin.auth).send({ role: 'viewer' }).expect(201)).body.id;

  const teamServer = async (): Promise<Omit<Fixture, 'commandServerId'>> => {
    const server = await createServer(t, users.teamAdmin);
    await t.http().put(`/api/v1/servers/${server.id}/owner`).set(users.teamAdmin.auth).send({ teamId }).expect(200);
    const key = await createApiKey(t, users.teamAdmin, server.id);
    const ruleId = await createRule(server.id);
    return { serverId: server.id, keyId: key.id, alertId: await openAlert(server.id), ruleId, silenceId: await createSilence(server.id), inviteId: await createInvite() };
  };

  const createRule = async (serverId: string): Promise<string> => (await t.http().post('/api/v1/alerts/thresholds').set(users.teamAdmin.auth)
    .send({ serverId, metricType: 'cpu', comparison: 'gt', thresholdValue: 90 }).expect(201)).body.id;
  const createSilence = async (serverId: string): Promise<string> => (await t.http().post('/api/v1/alerts/silences').set(users.teamAdmin.auth)
    .send({ serverId, metricType: 'disk', reason: 'disk swap', endsAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(201)).body.id;

  const openAlert = async (serverId: string): Promise<string> => {
    const { rows } = await t.db.query(
      `INSERT INTO alerts (id, server_id, threshold_id, owner_id, target, metric_type, severity, comparison, status, message, threshold_value, started_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'cpu', 'warning', 'gt', 'active', 'cpu above 90', 90, now()) RETURNING id`,
      [serverId, thresholdId, users.teamAdmin.user.id, `t${++targetSeq}`],
    );
    return rows[0].id;
  };

  beforeAll(async () => {
    t = await startTestApp();
    // The first user is the instance admin.
    for (const c of ['instanceAdmin', 'none', 'viewer', 'operator', 'teamAdmin', 'otherTeamAdmin'] as Caller[]) users[c] = await registerUser(t);
    teamId = (await t.http().post('/api/v1/teams').set(users.teamAdmin.auth).send({ name: 'ops' }).expect(201)).body.id;
    for (const c of ['viewer', 'operator'] as const) {
      await t.http().post(`/api/v1/teams/${teamId}/members`).set(users.teamAdmin.auth).send({ user: users[c].user.username, role: c }).expect(201);
    }
    await t.http().post('/api/v1/teams').set(users.otherTeamAdmin.auth).send({ name: 'elsewhere' }).expect(201);
    // The other team's admin also owns a server of their own, in their team.
    const first = await createServer(t, users.teamAdmin);
    await t.http().put(`/api/v1/servers/${first.id}/owner`).set(users.teamAdmin.auth).send({ teamId }).expect(200);
    thresholdId = await createRule(first.id);
    // Operators run only allow-listed commands: the server's policy allows `uptime`.
    await t.http().put(`/api/v1/commands/${first.id}/policy`).set(users.teamAdmin.auth).send({ allow: ['uptime'], deny: [] }).expect(200);
    const key = await createApiKey(t, users.teamAdmin, first.id);
    base = { serverId: first.id, keyId: key.id, alertId: await openAlert(first.id), commandServerId: first.id, ruleId: thresholdId, silenceId: await createSilence(first.id), inviteId: await createInvite() };
    for (const c of CALLERS) sockets[c] = await connectLive(t.baseUrl, users[c].accessToken);
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.close();
    await t.close();
  });

  const ENTRIES: Entry[] = [
    { kind: 'rest', name: 'get server', cap: 'server.read', method: 'get', path: (f) => `/api/v1/servers/${f.serverId}`, allowed: 200 },
    { kind: 'rest', name: 'update server', cap: 'server.manage', method: 'put', path: (f) => `/api/v1/servers/${f.serverId}`, body: () => ({ name: 'renamed' }), allowed: 200 },
    { kind: 'rest', name: 'move server', cap: 'server.manage', method: 'put', path: (f) => `/api/v1/servers/${f.serverId}/owner`, body: () => ({ teamId }), allowed: 200 },
    { kind: 'rest', name: 'delete server', cap: 'server.manage', method: 'delete', path: (f) => `/api/v1/servers/${f.serverId}`, allowed: 204, fresh: true },
    { kind: 'rest', name: 'metrics history', cap: 'metrics.read', method: 'get', path: (f) => `/api/v1/metrics/${f.serverId}/history`, allowed: 200 },
    { kind: 'rest', name: 'list containers', cap: 'containers.read', method: 'get', path: (f) => `/api/v1/docker/${f.serverId}/containers`, allowed: 503 },
    { kind: 'rest', name: 'inspect container', cap: 'containers.read', method: 'get', path: (f) => `/api/v1/docker/${f.serverId}/containers/web`, allowed: 503 },
    { kind: 'rest', name: 'container logs', cap: 'containers.read', method: 'get', path: (f) => `/api/v1/docker/${f.serverId}/containers/web/logs`, allowed: 503 },
    { kind: 'rest', name: 'container events', cap: 'containers.read', method: 'get', path: (f) => `/api/v1/docker/${f.serverId}/events`, allowed: 200 },
    { kind: 'rest', name: 'docker action', cap: 'docker.action', method: 'post', path: (f) => `/api/v1/docker/${f.serverId}/containers/web/restart`, allowed: 503 },
    { kind: 'rest', name: 'get alert', cap: 'alerts.read', method: 'get', path: (f) => `/api/v1/alerts/${f.alertId}`, allowed: 200 },
    { kind: 'rest', name: 'acknowledge alert', cap: 'alerts.manage', method: 'post', path: (f) => `/api/v1/alerts/${f.alertId}/acknowledge`, body: () => ({}), allowed: 200, fresh: true },
    { kind: 'rest', name: 'resolve alert', cap: 'alerts.manage', method: 'post', path: (f) => `/api/v1/alerts/${f.alertId}/resolve`, body: () => ({}), allowed: 200, fresh: true },
    {
      kind: 'rest', name: 'silence alerts', cap: 'alerts.manage', method: 'post', path: () => '/api/v1/alerts/silences', allowed: 201,
      body: (f) => ({ serverId: f.serverId, reason: 'maintenance', endsAt: new Date(Date.now() + 3_600_000).toISOString() }),
    },
    {
      kind: 'rest', name: 'create alert rule', cap: 'rules.manage', method: 'post', path: () => '/api/v1/alerts/thresholds', allowed: 201,
      body: (f) => ({ serverId: f.serverId, metricType: 'memory', comparison: 'gt', thresholdValue: 95 }),
    },
    // Rules and silences on a team server are the team's, whoever created them (here: the team admin).
    { kind: 'rest', name: 'list the server\'s alert rules', cap: 'alerts.read', method: 'get', path: (f) => `/api/v1/alerts/thresholds?serverId=${f.serverId}`, allowed: 200, filterOnly: true },
    { kind: 'rest', name: 'get alert rule', cap: 'alerts.read', method: 'get', path: (f) => `/api/v1/alerts/thresholds/${f.ruleId}`, allowed: 200 },
    { kind: 'rest', name: 'update alert rule', cap: 'rules.manage', method: 'put', path: (f) => `/api/v1/alerts/thresholds/${f.ruleId}`, body: () => ({ name: 'renamed rule' }), allowed: 200 },
    { kind: 'rest', name: 'delete alert rule', cap: 'rules.manage', method: 'delete', path: (f) => `/api/v1/alerts/thresholds/${f.ruleId}`, allowed: 204, fresh: true },
    { kind: 'rest', name: 'end silence', cap: 'alerts.manage', method: 'delete', path: (f) => `/api/v1/alerts/silences/${f.silenceId}`, allowed: 204, fresh: true },
    { kind: 'rest', name: 'run allow-listed command', cap: 'commands.run', method: 'post', path: (f) => `/api/v1/commands/${f.commandServerId}`, body: () => ({ command: 'uptime' }), allowed: 503 },
    { kind: 'rest', name: 'command history', cap: 'commands.run', method: 'get', path: (f) => `/api/v1/commands/${f.serverId}/history`, allowed: 200 },
    { kind: 'rest', name: 'read command policy', cap: 'server.read', method: 'get', path: (f) => `/api/v1/commands/${f.serverId}/policy`, allowed: 200 },
    { kind: 'rest', name: 'edit command policy', cap: 'server.manage', method: 'put', path: (f) => `/api/v1/commands/${f.serverId}/policy`, body: () => ({ allow: ['uptime'] }), allowed: 200 },
    { kind: 'rest', name: 'create api key', cap: 'keys.manage', method: 'post', path: () => '/api/v1/api-keys', body: (f) => ({ serverId: f.serverId, name: 'k' }), allowed: 201 },
    { kind: 'rest', name: 'list api keys', cap: 'keys.manage', method: 'get', path: (f) => `/api/v1/api-keys/server/${f.serverId}`, allowed: 200 },
    { kind: 'rest', name: 'deactivate api key', cap: 'keys.manage', method: 'post', path: (f) => `/api/v1/api-keys/${f.keyId}/deactivate`, allowed: 200, fresh: true },
    { kind: 'rest', name: 'delete api key', cap: 'keys.manage', method: 'delete', path: (f) => `/api/v1/api-keys/${f.keyId}`, allowed: 204, fresh: true },
    { kind: 'rest', name: 'terminal recordings', cap: 'terminal.open', method: 'get', path: (f) => `/api/v1/terminal/${f.serverId}/sessions`, allowed: 200 },
    { kind: 'rest', name: 'server audit', cap: 'server.read', method: 'get', path: (f) => `/api/v1/audit?serverId=${f.serverId}`, allowed: 200, filterOnly: true },
    { kind: 'rest', name: 'create team invite', cap: 'members.manage', method: 'post', path: () => `/api/v1/teams/${teamId}/invites`, body: () => ({ role: 'operator' }), allowed: 201, team: true },
    { kind: 'rest', name: 'list team invites', cap: 'members.manage', method: 'get', path: () => `/api/v1/teams/${teamId}/invites`, allowed: 200, team: true },
    { kind: 'rest', name: 'revoke team invite', cap: 'members.manage', method: 'delete', path: (f) => `/api/v1/teams/${teamId}/invites/${f.inviteId}`, allowed: 204, fresh: true, team: true },
    {
      kind: 'socket', name: '/live subscribe', cap: 'server.read', allowed: { ok: true },
      call: (s, f) => s.timeout(10_000).emitWithAck('subscribe', { serverId: f.serverId }),
    },
    {
      kind: 'socket', name: '/live terminal_open', cap: 'terminal.open', allowed: { ok: false, error: 'agent_offline' },
      call: (s, f) => s.timeout(10_000).emitWithAck('terminal_open', { serverId: f.serverId, cols: 80, rows: 24 }),
    },
    {
      kind: 'socket', name: '/live container_logs_subscribe', cap: 'containers.read', allowed: { ok: false, error: 'agent_offline' },
      call: (s, f) => s.timeout(10_000).emitWithAck('container_logs_subscribe', { serverId: f.serverId, containerId: 'web' }),
    },
  ];

  const breakGlassCount = async (serverId: string): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access.break_glass' AND server_id = $1 AND acting_as_admin`, [serverId])).rows[0].n;

  const adminTeamEntries = async (): Promise<number> =>
    (await t.db.query('SELECT count(*)::int AS n FROM audit_logs WHERE team_id = $1 AND acting_as_admin AND user_id = $2', [teamId, users.instanceAdmin.user.id])).rows[0].n;

  for (const entry of ENTRIES) {
    describe(`${entry.name} (${entry.cap})`, () => {
      for (const caller of CALLERS) {
        const want = expected(caller, entry.cap);
        it(`${caller}: ${want}`, async () => {
          const needsFresh = entry.kind === 'rest' && entry.fresh && want === 'allow';
          const f: Fixture = needsFresh ? { ...(await teamServer()), commandServerId: base.commandServerId } : base;
          const before = await snapshot();
          const glassBefore = await breakGlassCount(f.serverId);
          const adminTeamEntriesBefore = await adminTeamEntries();

          let outcome: Expectation;
          if (entry.kind === 'rest') {
            const req = t.http()[entry.method](entry.path(f)).set(users[caller].auth);
            const res = entry.body ? await req.send(entry.body(f)) : await req;
            if (res.status === 403) {
              expect(res.body).toMatchObject({ code: entry.team ? 'team.forbidden' : 'access.forbidden', details: [{ capability: entry.cap, via: ROLE_OF[caller] }] });
              outcome = 'forbidden';
            } else if (res.status === 404 && want !== 'allow') {
              outcome = 'not_found';
            } else {
              expect({ status: res.status, body: res.body }).toMatchObject({ status: entry.allowed });
              outcome = 'allow';
            }
          } else {
            const res = await entry.call(sockets[caller], f);
            if (!res.ok && (res.error === 'forbidden' || res.error === 'not_found')) outcome = res.error;
            else {
              expect(res).toMatchObject(entry.allowed);
              outcome = 'allow';
            }
          }
          expect(outcome).toBe(want);

          if (want !== 'allow') {
            // A deny changes nothing, anywhere.
            expect(await snapshot()).toEqual(before);
          } else if (caller === 'instanceAdmin' && entry.kind === 'rest' && entry.team) {
            // Managing a team without a role in it: flagged in the team's audit log when it changes something.
            expect(await adminTeamEntries()).toBe(adminTeamEntriesBefore + (entry.method === 'get' ? 0 : 1));
          } else if (caller === 'instanceAdmin') {
            // Reading is the admin's right; anything more is break-glass, audited on the server.
            expect(await breakGlassCount(f.serverId)).toBe(glassBefore + (READ_CAPABILITIES.includes(entry.cap) ? 0 : 1));
          }
        });
      }
    });
  }

  it('documents in the OpenAPI document (x-capability) the capability each route of the table needs', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, { 'x-capability'?: string }>> };
    const templates = Object.keys(doc.paths).map((path) => ({
      path, params: (path.match(/\{/g) ?? []).length, re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    for (const entry of ENTRIES) {
      if (entry.kind !== 'rest' || entry.filterOnly) continue;
      const concrete = entry.path(base).split('?')[0];
      const match = templates.filter((x) => x.re.test(concrete) && doc.paths[x.path][entry.method]).sort((a, b) => a.params - b.params)[0];
      expect({ route: entry.name, documented: match ? doc.paths[match.path][entry.method]['x-capability'] : 'no such route' })
        .toEqual({ route: entry.name, documented: entry.cap });
    }
  });

  it('lists exactly the servers each caller may see, with their access', async () => {
    const visible = async (c: Caller) => ((await t.http().get('/api/v1/servers').set(users[c].auth).expect(200)).body as { id: string; access: { via: string } }[]);
    expect((await visible('none')).length).toBe(0);
    expect((await visible('otherTeamAdmin')).length).toBe(0);
    for (const c of ['viewer', 'operator', 'teamAdmin'] as const) {
      const list = await visible(c);
      expect(list.find((s) => s.id === base.serverId)?.access.via).toBe(ROLE_OF[c]);
    }
    expect((await visible('instanceAdmin')).find((s) => s.id === base.serverId)?.access).toMatchObject({ via: 'instance_admin', breakGlass: true });
  });

  it('answers a batch of visibility checks (a burst of live subscribes) as it answers each one', async () => {
    const access = t.app.get(AccessService);
    const personal = (await createServer(t, users.viewer)).id;
    const ids = [base.serverId, base.commandServerId, personal, randomUUID(), 'not-a-uuid'];
    for (const c of CALLERS) {
      const user: AuthUser = { id: users[c].user.id, username: users[c].user.username, role: users[c].user.role };
      const one = new Set<string>();
      for (const id of ids.slice(0, 4)) if (await access.visible(user, id)) one.add(id);
      expect([c, [...await access.visibleAmong(user, ids)].sort()]).toEqual([c, [...one].sort()]);
    }
    const viewer: AuthUser = { id: users.viewer.user.id, username: users.viewer.user.username, role: users.viewer.user.role };
    expect(await access.visibleAmong(viewer, [personal, base.serverId, personal])).toEqual(new Set([personal, base.serverId]));
    expect(await access.visibleAmong({ ...viewer, id: users.none.user.id }, ids)).toEqual(new Set());
  });

  it('shows the team the break-glass entries, flagged', async () => {
    const page = (await t.http().get(`/api/v1/audit?serverId=${base.serverId}&action=access.break_glass`).set(users.viewer.auth).expect(200)).body;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items[0]).toMatchObject({ userId: users.instanceAdmin.user.id, teamId, actingAsAdmin: true });
    expect(page.items[0].description).toContain('Break-glass');
  });

  it('refuses an operator any command on a server without an allow-list (recorded as refused), not the team admin', async () => {
    const { serverId } = await teamServer();
    const op = await t.http().post(`/api/v1/commands/${serverId}`).set(users.operator.auth).send({ command: 'df -h' });
    expect(op.status).toBe(403);
    expect(op.body.code).toBe('command.policy_denied');
    expect(op.body.message).toContain('allow-list');
    const refused = await t.db.query(`SELECT status, user_id FROM command_history WHERE server_id = $1`, [serverId]);
    expect(refused.rows).toEqual([{ status: 'refused', user_id: users.operator.user.id }]);
    const admin = await t.http().post(`/api/v1/commands/${serverId}`).set(users.teamAdmin.auth).send({ command: 'df -h' });
    expect(admin.status).toBe(503); // past every check: only the missing agent stops it
  });
});
