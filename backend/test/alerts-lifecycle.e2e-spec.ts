import type { AlertPage, AlertSilence } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import type { LiveClient } from './support/live-client';
import {
  createChannel, createRule, deliveries, FAST_ALERTS_ENV, listAlerts, simAgent, SimAgent, startReceiver, waitAlerts, watchAlerts,
} from './support/alerts';

/** What people do with alerts: acknowledge, resolve, page through them, silence them; and what others cannot see. */
describe('alert lifecycle', () => {
  let t: TestApp;
  let alice: TestUser;
  let admin: TestUser;
  const agents: SimAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    admin = await registerUser(t); // the first user is the admin
    alice = await registerUser(t);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const l of lives.splice(0)) l.close();
  });
  afterAll(async () => { await t.close(); });

  async function firing(user = alice) {
    const a = await simAgent(t, user);
    agents.push(a);
    const rule = await createRule(t, user, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80 });
    await a.cpu(90);
    const [alert] = await waitAlerts(t, user, a.server.id, (l) => l.length === 1, 'fired');
    return { a, rule, alert };
  }

  it('active → acknowledged (note) → resolved by a user (note): each step on /live and in the audit log; 409 for repeats', async () => {
    const { a, alert } = await firing();
    const { live, events } = await watchAlerts(t, alice, a.server.id);
    lives.push(live);
    const ack = await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(alice.auth).send({ note: 'looking' }).expect(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: alice.user.username, acknowledgeNote: 'looking', acknowledgedAt: expect.any(String) });
    await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(alice.auth).send({}).expect(409);
    const res = await t.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(alice.auth).send({ note: 'rebooted' }).expect(200);
    expect(res.body).toMatchObject({ status: 'resolved', resolvedBy: alice.user.username, resolveNote: 'rebooted', resolveReason: 'user' });
    const again = await t.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(alice.auth).send({}).expect(409);
    expect(again.body).toMatchObject({ statusCode: 409, code: 'alert.already_resolved' });
    await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(alice.auth).send({}).expect(409);
    await waitFor(() => events.length, (n) => n === 2, 5000, 'two live events');
    expect(events.map((e) => [e.change, e.alert.status])).toEqual([['acknowledged', 'acknowledged'], ['resolved', 'resolved']]);
    const audit = (await t.db.query(`SELECT action, user_id, description FROM audit_logs WHERE server_id = $1 AND action LIKE 'alert.%' ORDER BY created_at`, [a.server.id])).rows;
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['alert.fire', 'alert.acknowledge', 'alert.resolve']);
    expect(audit[1]).toMatchObject({ user_id: alice.user.id, description: expect.stringContaining('looking') });

    // resolved by hand while still breaching: no new alert until the value clears and breaches again
    await a.cpu(95);
    await a.cpu(96);
    expect((await listAlerts(t, alice, `serverId=${a.server.id}`)).map((x) => x.status)).toEqual(['resolved']);
    await a.cpu(10);
    await a.cpu(95);
    const alerts = await waitAlerts(t, alice, a.server.id, (l) => l.length === 2, 'a new alert');
    expect(alerts[0].status).toBe('active');
  });

  it('lists newest first with filters and pages through nextCursor', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    for (let i = 0; i < 5; i++) await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 10 * i, severity: i % 2 ? 'critical' : 'info' });
    await a.cpu(99);
    const all = await waitAlerts(t, alice, a.server.id, (l) => l.length === 5, 'five alerts');
    const p1 = (await t.http().get(`/api/v1/alerts?serverId=${a.server.id}&limit=2`).set(alice.auth).expect(200)).body as AlertPage;
    expect(p1.items).toHaveLength(2);
    const p2 = (await t.http().get(`/api/v1/alerts?serverId=${a.server.id}&limit=2&before=${p1.nextCursor}`).set(alice.auth).expect(200)).body as AlertPage;
    const r3 = await t.http().get(`/api/v1/alerts?serverId=${a.server.id}&limit=2&before=${p2.nextCursor}`).set(alice.auth);
    expect([r3.status, r3.body.message]).toEqual([200, undefined]);
    const p3 = r3.body as AlertPage;
    expect(p3.nextCursor).toBeNull();
    expect([...p1.items, ...p2.items, ...p3.items].map((x) => x.id)).toEqual(all.map((x) => x.id));
    // newest first (ties within a millisecond are ordered by the database's microseconds, then id)
    for (let i = 1; i < all.length; i++) expect(all[i - 1].createdAt >= all[i].createdAt).toBe(true);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&severity=critical`)).toHaveLength(2);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&metricType=memory`)).toHaveLength(0);
    await t.http().post(`/api/v1/alerts/${all[0].id}/acknowledge`).set(alice.auth).send({}).expect(200);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&status=acknowledged`)).toHaveLength(1);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&status=active`)).toHaveLength(4);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&status=open`)).toHaveLength(5);
    await t.http().get('/api/v1/alerts?status=bogus').set(alice.auth).expect(400);
    await t.http().get('/api/v1/alerts?before=garbage').set(alice.auth).expect(400);
  });

  it('a silence records the alert as silenced and notifies nobody; deleting it ends it', async () => {
    const receiver = await startReceiver();
    try {
      const a = await simAgent(t, alice);
      agents.push(a);
      const hook = await createChannel(t, alice, { name: 'hook', type: 'webhook', url: receiver.url, secret: 'x'.repeat(24) });
      await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [hook.id] });
      const s = await t.http().post('/api/v1/alerts/silences').set(alice.auth)
        .send({ serverId: a.server.id, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'maintenance' }).expect(201);
      expect(s.body).toMatchObject({ serverId: a.server.id, metricType: null, reason: 'maintenance', active: true, createdBy: alice.user.username });
      await a.cpu(90);
      const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'silenced alert');
      expect(alert).toMatchObject({ silenced: true, silenceId: s.body.id, status: 'active' });
      const log = await waitFor(() => deliveries(t, alice, alert.id), (d) => d.length === 1, 5000, 'suppressed delivery');
      expect(log[0]).toMatchObject({ status: 'suppressed', kind: 'fired', channelId: hook.id, detail: expect.stringContaining('silenced') });
      await t.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(alice.auth).send({}).expect(200);
      await waitFor(() => deliveries(t, alice, alert.id), (d) => d.length === 2, 5000, 'second suppressed delivery');
      expect(receiver.requests).toHaveLength(0);

      const list = (await t.http().get('/api/v1/alerts/silences').set(alice.auth).expect(200)).body as AlertSilence[];
      expect(list.map((x) => x.id)).toContain(s.body.id);
      await t.http().delete(`/api/v1/alerts/silences/${s.body.id}`).set(alice.auth).expect(204);
      expect(((await t.http().get('/api/v1/alerts/silences').set(alice.auth).expect(200)).body as AlertSilence[]).map((x) => x.id)).not.toContain(s.body.id);
      await a.cpu(10);
      await a.cpu(90);
      const alerts = await waitAlerts(t, alice, a.server.id, (l) => l.length === 2, 'unsilenced alert');
      expect(alerts[0].silenced).toBe(false);
      await waitFor(() => receiver.requests.length, (n) => n === 1, 5000, 'the webhook');
      const bad = await t.http().post('/api/v1/alerts/silences').set(alice.auth).send({ endsAt: '2001-01-01T00:00:00Z', reason: 'x' }).expect(400);
      expect(bad.body.details[0].field).toBe('endsAt');
    } finally {
      await receiver.close();
    }
  });

  it('another user\'s alerts, silences and their deliveries answer 404 (and never appear in lists); admins see alerts', async () => {
    const { alert } = await firing();
    const s = await t.http().post('/api/v1/alerts/silences').set(alice.auth).send({ endsAt: new Date(Date.now() + 60_000).toISOString(), reason: 'r' }).expect(201);
    const mallory = await registerUser(t);
    await t.http().get(`/api/v1/alerts/${alert.id}`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/alerts/${alert.id}/deliveries`).set(mallory.auth).expect(404);
    await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(mallory.auth).send({}).expect(404);
    await t.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(mallory.auth).send({}).expect(404);
    await t.http().delete(`/api/v1/alerts/silences/${s.body.id}`).set(mallory.auth).expect(404);
    expect(await listAlerts(t, mallory)).toEqual([]);
    expect((await t.http().get('/api/v1/alerts/silences').set(mallory.auth).expect(200)).body).toEqual([]);
    await t.http().get('/api/v1/alerts/00000000-0000-4000-8000-000000000000').set(alice.auth).expect(404);
    await t.http().get('/api/v1/alerts/not-a-uuid').set(alice.auth).expect(400);
    expect((await listAlerts(t, admin)).map((x) => x.id)).toContain(alert.id);
    await t.http().get(`/api/v1/alerts/${alert.id}`).set(admin.auth).expect(200);
    await t.http().post('/api/v1/alerts/silences').set(mallory.auth).send({ serverId: alert.serverId, endsAt: new Date(Date.now() + 60_000).toISOString(), reason: 'x' }).expect(404);
  });
});
