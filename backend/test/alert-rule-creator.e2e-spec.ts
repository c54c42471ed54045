import type { AlertThreshold } from '@chatops/protocol';
import { RuleCreators1764239100000 } from '../src/database/migrations/1764239100000-RuleCreators';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';
import { createRule, FAST_ALERTS_ENV, simAgent, SimAgent } from './support/alerts';

/**
 * Alert rules record who created them (`createdBy`, `createdByUsername`): every reader of a team
 * server's rules sees which colleague made one, an edit by another admin does not change it, and a
 * disabled creator's rule stays, still naming them. Real PostgreSQL, a simulated agent.
 */
describe('alert rules: their creator', () => {
  let t: TestApp;
  let instanceAdmin: TestUser;
  let creator: TestUser; // team admin
  let admin2: TestUser;
  let viewer: TestUser;
  let agent: SimAgent;
  let teamId: string;
  const http = () => t.http();
  const rules = async (u: TestUser) => (await http().get(`/api/v1/alerts/thresholds?serverId=${agent.server.id}`).set(u.auth).expect(200)).body as AlertThreshold[];

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    instanceAdmin = await registerUser(t);
    [creator, admin2, viewer] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    teamId = (await http().post('/api/v1/teams').set(creator.auth).send({ name: 'ops' }).expect(201)).body.id;
    await http().post(`/api/v1/teams/${teamId}/members`).set(creator.auth).send({ user: admin2.user.username, role: 'admin' }).expect(201);
    await http().post(`/api/v1/teams/${teamId}/members`).set(creator.auth).send({ user: viewer.user.username, role: 'viewer' }).expect(201);
    agent = await simAgent(t, creator);
    await http().put(`/api/v1/servers/${agent.server.id}/owner`).set(creator.auth).send({ teamId }).expect(200);
  });
  afterAll(async () => {
    agent.close();
    await t.close();
  });

  it('POST, GET, list and PUT name the creator; another admin\'s edit keeps it', async () => {
    const made = await createRule(t, creator, { serverId: agent.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 95 });
    expect(made).toMatchObject({ createdBy: creator.user.id, createdByUsername: creator.user.username });
    const got = (await http().get(`/api/v1/alerts/thresholds/${made.id}`).set(viewer.auth).expect(200)).body as AlertThreshold;
    expect(got).toMatchObject({ createdBy: creator.user.id, createdByUsername: creator.user.username });
    expect((await rules(viewer)).find((r) => r.id === made.id)).toMatchObject({ createdByUsername: creator.user.username });
    const edited = (await http().put(`/api/v1/alerts/thresholds/${made.id}`).set(admin2.auth).send({ thresholdValue: 97 }).expect(200)).body as AlertThreshold;
    expect(edited).toMatchObject({ thresholdValue: 97, createdBy: creator.user.id, createdByUsername: creator.user.username });
    // The client cannot claim someone else made it: unknown fields are refused.
    const forged = await http().post('/api/v1/alerts/thresholds').set(admin2.auth)
      .send({ serverId: agent.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 50, createdBy: creator.user.id });
    expect(forged.status).toBe(400);
  });

  it('a disabled creator\'s rule stays, still naming them', async () => {
    const made = await createRule(t, admin2, { serverId: agent.server.id, metricType: 'memory', comparison: 'gt', thresholdValue: 99 });
    await http().post(`/api/v1/admin/users/${admin2.user.id}/disable`).set(instanceAdmin.auth).expect(200);
    expect((await rules(viewer)).find((r) => r.id === made.id)).toMatchObject({ createdBy: admin2.user.id, createdByUsername: admin2.user.username, enabled: true });
  });

  it('the migration backfills existing rules from their owner and reverts cleanly', async () => {
    const made = await createRule(t, creator, { serverId: agent.server.id, metricType: 'disk', comparison: 'gt', thresholdValue: 90 });
    const migration = new RuleCreators1764239100000();
    const runner = { query: (sql: string) => t.db.query(sql) } as unknown as Parameters<typeof migration.up>[0];
    await migration.down(runner);
    const cols = await t.db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'alert_thresholds' AND column_name LIKE 'created_by%'`);
    expect(cols.rows).toEqual([]);
    await migration.up(runner);
    const row = await t.db.query('SELECT created_by, created_by_username FROM alert_thresholds WHERE id = $1', [made.id]);
    expect(row.rows[0]).toEqual({ created_by: creator.user.id, created_by_username: creator.user.username });
  });
});
