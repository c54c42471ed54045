import type { AlertSilence, AlertThreshold } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import {
  createChannel, createRule, deliveries, FAST_ALERTS_ENV, simAgent, SimAgent, startReceiver, waitAlerts,
} from './support/alerts';

/**
 * Alert rules and silences on a team's server belong to the team: every member reads them, and
 * changing them needs the capability on that server whoever created them. All-servers rules and
 * silences stay personal and never reach a team server. A rule notifies its creator only while the
 * creator may still see the server. Real PostgreSQL, a simulated agent, a local webhook receiver.
 */
describe('alert rules and silences on team servers', () => {
  let t: TestApp;
  let admin: TestUser; // team admin, creates the rules
  let admin2: TestUser; // a second team admin
  let operator: TestUser;
  let viewer: TestUser;
  let outsider: TestUser;
  let teamId: string;
  let agent: SimAgent;
  let rule: AlertThreshold;

  const http = () => t.http();
  const ruleIds = async (u: TestUser, q = '') =>
    ((await http().get(`/api/v1/alerts/thresholds${q}`).set(u.auth).expect(200)).body as AlertThreshold[]).map((r) => r.id);
  const silenceIds = async (u: TestUser) =>
    ((await http().get('/api/v1/alerts/silences').set(u.auth).expect(200)).body as AlertSilence[]).map((s) => s.id);
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    await registerUser(t); // the instance admin
    [admin, admin2, operator, viewer, outsider] = [await registerUser(t), await registerUser(t), await registerUser(t), await registerUser(t), await registerUser(t)];
    teamId = (await http().post('/api/v1/teams').set(admin.auth).send({ name: 'ops' }).expect(201)).body.id;
    for (const [u, role] of [[admin2, 'admin'], [operator, 'operator'], [viewer, 'viewer']] as const) {
      await http().post(`/api/v1/teams/${teamId}/members`).set(admin.auth).send({ user: u.user.username, role }).expect(201);
    }
    agent = await simAgent(t, admin);
    await http().put(`/api/v1/servers/${agent.server.id}/owner`).set(admin.auth).send({ teamId }).expect(200);
    rule = await createRule(t, admin, { serverId: agent.server.id, metricType: 'memory', comparison: 'gt', thresholdValue: 99 });
  });
  afterAll(async () => {
    agent.close();
    await t.close();
  });

  it('every member reads the team server\'s rules, whoever created them; outsiders get 404', async () => {
    for (const u of [admin2, operator, viewer]) {
      expect(await ruleIds(u)).toContain(rule.id);
      expect(await ruleIds(u, `?serverId=${agent.server.id}`)).toContain(rule.id);
      await http().get(`/api/v1/alerts/thresholds/${rule.id}`).set(u.auth).expect(200);
    }
    expect(await ruleIds(outsider)).not.toContain(rule.id);
    const res = await http().get(`/api/v1/alerts/thresholds/${rule.id}`).set(outsider.auth).expect(404);
    expect(res.body.code).toBe('alert.threshold_not_found');
    expect((await http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(outsider.auth).send({ thresholdValue: 1 }).expect(404)).body.code)
      .toBe('alert.threshold_not_found');
  });

  it('changing a team rule needs rules.manage on its server: another team admin may, an operator may not', async () => {
    const denied = await http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(operator.auth).send({ thresholdValue: 50 }).expect(403);
    expect(denied.body).toMatchObject({ code: 'access.forbidden', details: [{ capability: 'rules.manage', via: 'operator' }] });
    await http().delete(`/api/v1/alerts/thresholds/${rule.id}`).set(viewer.auth).expect(403);

    const ok = await http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(admin2.auth).send({ thresholdValue: 98 }).expect(200);
    expect(ok.body).toMatchObject({ id: rule.id, thresholdValue: 98 });
    const { rows } = await t.db.query(`SELECT user_id FROM audit_logs WHERE action = 'threshold.update' AND server_id = $1`, [agent.server.id]);
    expect(rows.map((r: { user_id: string }) => r.user_id)).toEqual([admin2.user.id]);

    // Only the creator may turn it into an all-servers rule, and channels stay the creator's.
    const toAll = await http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(admin2.auth).send({ serverId: null }).expect(400);
    expect(toAll.body.code).toBe('alert.invalid_rule');
    const own = await createChannel(t, admin2, { name: 'mine', type: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'y'.repeat(20) });
    const foreign = await http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(admin2.auth).send({ channelIds: [own.id] }).expect(400);
    expect(foreign.body.code).toBe('alert.unknown_channel');
  });

  it('an all-servers rule of a member stays personal: not listed for the team server and never fires there', async () => {
    const mine = await createRule(t, operator, { metricType: 'cpu', comparison: 'gt', thresholdValue: 10 });
    expect(await ruleIds(operator)).toContain(mine.id);
    expect(await ruleIds(operator, `?serverId=${agent.server.id}`)).not.toContain(mine.id);
    expect(await ruleIds(viewer)).not.toContain(mine.id);
    await http().get(`/api/v1/alerts/thresholds/${mine.id}`).set(viewer.auth).expect(404);

    // A team rule on the same metric fires on the sample; the member's all-servers rule does not.
    const team = await createRule(t, admin, { serverId: agent.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 50 });
    await agent.cpu(95);
    const alerts = await waitAlerts(t, viewer, agent.server.id, (l) => l.some((a) => a.thresholdId === team.id), 'the team rule\'s alert');
    expect(alerts.map((a) => a.thresholdId)).not.toContain(mine.id);
    await agent.cpu(5);
    await http().delete(`/api/v1/alerts/thresholds/${team.id}`).set(admin2.auth).expect(204);
  });

  it('a silence on the team server is the team\'s: it mutes any member\'s rule there, members see it, an operator ends it', async () => {
    const personal = (await http().post('/api/v1/alerts/silences').set(viewer.auth)
      .send({ reason: 'my own all-servers silence', endsAt: inAnHour() }).expect(201)).body as AlertSilence;
    const denied = await http().post('/api/v1/alerts/silences').set(viewer.auth)
      .send({ serverId: agent.server.id, reason: 'x', endsAt: inAnHour() }).expect(403);
    expect(denied.body.code).toBe('access.forbidden');
    const s = (await http().post('/api/v1/alerts/silences').set(operator.auth)
      .send({ serverId: agent.server.id, metricType: 'disk', reason: 'disk swap', endsAt: inAnHour() }).expect(201)).body as AlertSilence;
    for (const u of [admin, admin2, viewer]) expect(await silenceIds(u)).toContain(s.id);
    expect(await silenceIds(admin)).not.toContain(personal.id);
    expect(await silenceIds(outsider)).not.toContain(s.id);

    // The admin's rule on the server is muted by the operator's silence.
    const disk = await createRule(t, admin, { serverId: agent.server.id, metricType: 'disk', comparison: 'gt', thresholdValue: 50 });
    await agent.send({ disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 9e10, percent: 90 }] });
    const [alert] = (await waitAlerts(t, admin, agent.server.id, (l) => l.some((a) => a.thresholdId === disk.id), 'the disk alert'))
      .filter((a) => a.thresholdId === disk.id);
    expect(alert).toMatchObject({ silenced: true, silenceId: s.id });

    await http().delete(`/api/v1/alerts/silences/${s.id}`).set(outsider.auth).expect(404);
    await http().delete(`/api/v1/alerts/silences/${s.id}`).set(viewer.auth).expect(403);
    await http().delete(`/api/v1/alerts/silences/${personal.id}`).set(admin.auth).expect(404);
    await http().delete(`/api/v1/alerts/silences/${s.id}`).set(admin2.auth).expect(204);
    expect(await silenceIds(operator)).not.toContain(s.id);
    await http().delete(`/api/v1/alerts/thresholds/${disk.id}`).set(admin.auth).expect(204);
  });

  it('resolves the alerts of all-servers rules on a server that joins a team (they no longer apply there)', async () => {
    const own = await simAgent(t, admin);
    try {
      const everywhere = await createRule(t, admin, { metricType: 'cpu', comparison: 'gt', thresholdValue: 70 });
      await own.cpu(90);
      const [fired] = await waitAlerts(t, admin, own.server.id, (l) => l.some((a) => a.thresholdId === everywhere.id && a.status === 'active'), 'the personal alert');
      await http().put(`/api/v1/servers/${own.server.id}/owner`).set(admin.auth).send({ teamId }).expect(200);
      const after = await waitAlerts(t, admin, own.server.id, (l) => l.some((a) => a.id === fired.id && a.status === 'resolved'), 'the resolution');
      expect(after.find((a) => a.id === fired.id)).toMatchObject({ status: 'resolved', resolveReason: 'rule_changed' });
      await own.cpu(95);
      await own.cpu(96);
      const still = await waitAlerts(t, admin, own.server.id, () => true, 'the list');
      expect(still.filter((a) => a.thresholdId === everywhere.id)).toHaveLength(1); // it does not fire again there
      await http().delete(`/api/v1/alerts/thresholds/${everywhere.id}`).set(admin.auth).expect(204);
    } finally {
      own.close();
    }
  });

  it('notifies the rule\'s creator only while they may see the server', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await createChannel(t, admin2, { name: 'pager', type: 'webhook', url: receiver.url, secret: 'p'.repeat(20) });
      const r = await createRule(t, admin2, { serverId: agent.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 60, channelIds: [hook.id] });
      await agent.cpu(80);
      await waitFor(() => receiver.requests.length, (n) => n === 1, 10_000, 'the webhook while a member');
      await agent.cpu(5);
      await waitAlerts(t, admin, agent.server.id, (l) => l.filter((a) => a.thresholdId === r.id).every((a) => a.status === 'resolved'), 'resolved');
      await waitFor(() => receiver.requests.length, (n) => n === 2, 10_000, 'the resolution webhook');

      await http().delete(`/api/v1/teams/${teamId}/members/${admin2.user.id}`).set(admin.auth).expect(204);
      await agent.cpu(80);
      const fired = await waitAlerts(t, admin, agent.server.id, (l) => l.filter((a) => a.thresholdId === r.id).length === 2, 'the second alert');
      const log = await waitFor(() => deliveries(t, admin, fired[0].id), (d) => d.length === 1, 5000, 'the suppressed delivery');
      expect(log[0]).toMatchObject({ status: 'suppressed', detail: expect.stringContaining('can no longer see') });
      expect(receiver.requests).toHaveLength(2);
      // The rule stays the team's: its members still manage it.
      await http().delete(`/api/v1/alerts/thresholds/${r.id}`).set(admin.auth).expect(204);
    } finally {
      await receiver.close();
    }
  });
});
