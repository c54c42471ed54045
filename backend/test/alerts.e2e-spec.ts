import type { Alert } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectLive } from './support/live-client';
import {
  createRule, FAST_ALERTS_ENV, getAlert, listAlerts, simAgent, SimAgent, waitAlerts, watchAlerts,
} from './support/alerts';
import type { LiveClient } from './support/live-client';

/**
 * Alert rules evaluated on real samples from simulated agents (real PostgreSQL, real sockets):
 * breach, duration, hysteresis, flapping, two rules on one metric, disabled and deleted rules,
 * all-servers rules, targets.
 */
describe('alert rules on samples', () => {
  let t: TestApp;
  let alice: TestUser;
  const agents: SimAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    await registerUser(t); // the admin
    alice = await registerUser(t);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const l of lives.splice(0)) l.close();
  });
  afterAll(async () => { await t.close(); });

  async function agentOf(user = alice): Promise<SimAgent> {
    const a = await simAgent(t, user);
    agents.push(a);
    return a;
  }
  const open = (alerts: Alert[]) => alerts.filter((a) => a.status !== 'resolved');

  it('a breaching sample fires an alert at once: REST, /live, snapshot, audit and the fleet count', async () => {
    const a = await agentOf();
    const rule = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 90, severity: 'critical' });
    expect(rule).toMatchObject({ enabled: true, durationSec: 0, clearValue: null, target: null, channelIds: [], serverId: a.server.id });
    const { live, events } = await watchAlerts(t, alice, a.server.id);
    lives.push(live);
    const fleet = await connectLive(t.baseUrl, alice.accessToken);
    lives.push(fleet);
    const summaries: { serverId: string; openAlerts: number }[] = [];
    fleet.on('fleet_summary', (s) => summaries.push(s));
    const fleetAlerts: string[] = [];
    fleet.on('alert', (e) => fleetAlerts.push(`${e.change}:${e.alert.serverId}`));
    await fleet.timeout(5000).emitWithAck('subscribe_fleet');

    await a.cpu(50);
    await a.send({
      cpu: { percent: 97.5, perCore: [97.5], load: [3, 2, 1], cores: 1 },
      processes: [{ pid: 1, name: 'init', user: 'root', cpuPercent: 0.1, memBytes: 1e6 }, { pid: 42, name: 'stress', user: 'bob', cpuPercent: 96, memBytes: 2e6 }],
      containers: [{ id: 'c1', name: 'web', image: 'nginx', state: 'running', status: 'Up', cpuPercent: 12, memBytes: 1e8, memLimitBytes: 1e9 }],
    });
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'the alert');
    expect(alert).toMatchObject({
      serverId: a.server.id, thresholdId: rule.id, metricType: 'cpu', severity: 'critical', status: 'active', thresholdValue: 90,
      currentValue: 97.5, target: null, acknowledgedAt: null, resolvedAt: null, silenced: false, hasSnapshot: true,
    });
    expect(alert.message).toBe(`${a.server.name}: CPU 97.5% > 90%`);
    await waitFor(() => events.length, (n) => n === 1, 5000, 'the /live alert event');
    expect(events[0]).toEqual({ alert, change: 'fired' });
    const detail = await getAlert(t, alice, alert.id);
    expect(detail.snapshot).toMatchObject({
      samples: [{ value: 97.5, timestamp: expect.any(String) }],
      host: { cpuPercent: 97.5, load: [3, 2, 1], disks: [{ mount: '/', percent: 40 }] },
      processes: [{ pid: 42, name: 'stress', cpuPercent: 96 }, { pid: 1 }],
      containers: [{ name: 'web', cpuPercent: 12, memBytes: 1e8 }],
    });
    await waitFor(() => summaries.filter((s) => s.serverId === a.server.id).pop()?.openAlerts, (n) => n === 1, 5000, 'openAlerts in the fleet stream');
    // fleet subscribers get the alert too (without subscribing to the server), once
    expect(fleetAlerts).toEqual([`fired:${a.server.id}`]);
    await live.timeout(5000).emitWithAck('subscribe_fleet'); // in both rooms now: still one event per change
    const audit = await t.db.query(`SELECT action, user_id FROM audit_logs WHERE server_id = $1 AND action LIKE 'alert.%'`, [a.server.id]);
    expect(audit.rows).toEqual([{ action: 'alert.fire', user_id: null }]);

    // more breaching samples keep the one alert; back under the threshold resolves it
    await a.cpu(99);
    await a.cpu(20);
    const [resolved] = await waitAlerts(t, alice, a.server.id, (l) => l[0]?.status === 'resolved', 'resolution');
    expect(resolved).toMatchObject({ id: alert.id, resolveReason: 'recovered', resolvedBy: null, currentValue: 20 });
    await waitFor(() => events.length, (n) => n === 2, 5000, 'the resolve event');
    expect(events[1].change).toBe('resolved');
    expect(events).toHaveLength(2);
    await waitFor(() => fleetAlerts.length, (n) => n === 2, 5000, 'the fleet resolve event');
    await waitFor(() => summaries.filter((s) => s.serverId === a.server.id).pop()?.openAlerts, (n) => n === 0, 5000, 'openAlerts back to 0');
  });

  it('durationSec: a breach shorter than the duration does not fire; one that lasts does, with the window in the snapshot', async () => {
    const a = await agentOf();
    await createRule(t, alice, { serverId: a.server.id, metricType: 'memory', comparison: 'gte', thresholdValue: 80, durationSec: 2 });
    const mem = (percent: number) => a.send({ memory: { totalBytes: 8e9, usedBytes: 2e9, availableBytes: 6e9, percent, swapTotalBytes: 0, swapUsedBytes: 0 } });
    const started = Date.now();
    await mem(85);
    await mem(90);
    await mem(10); // back to normal before the duration passed
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toEqual([]);

    await mem(85);
    const since = Date.now();
    await mem(86);
    await waitFor(() => Date.now() - since, (ms) => ms >= 2000, 4000, 'the duration');
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toEqual([]); // no sample since: nothing proves it lasted
    await mem(87);
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'the alert after the duration');
    expect(alert.message).toContain('for 2 s');
    expect(Date.parse(alert.startedAt)).toBeLessThan(Date.parse(alert.createdAt));
    const detail = await getAlert(t, alice, alert.id);
    expect(detail.snapshot!.samples.map((p) => p.value)).toEqual([85, 86, 87]);
  });

  it('hysteresis: a firing alert resolves only past clearValue', async () => {
    const a = await agentOf();
    const rule = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 90, clearValue: 70 });
    await a.cpu(95);
    await waitAlerts(t, alice, a.server.id, (l) => open(l).length === 1, 'fired');
    await a.cpu(85); // under the threshold, above clearValue: still firing
    await a.cpu(71);
    await a.cpu(92);
    let alerts = await listAlerts(t, alice, `serverId=${a.server.id}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].status).toBe('active');
    await a.cpu(70); // not past... "gt 70" no longer holds at 70: resolved
    alerts = await waitAlerts(t, alice, a.server.id, (l) => l[0]?.status === 'resolved', 'resolved at clearValue');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ thresholdId: rule.id, currentValue: 70 });
  });

  it('flapping input around the threshold: with a duration and clearValue it fires once and does not chatter', async () => {
    const a = await agentOf();
    const { live, events } = await watchAlerts(t, alice, a.server.id);
    lives.push(live);
    await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, clearValue: 60, durationSec: 1 });
    // flapping faster than the duration: never fires
    for (const v of [85, 75, 90, 70, 88, 79, 95, 50]) await a.cpu(v);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toEqual([]);
    // a sustained breach fires once; flapping between clearValue and the threshold keeps it open
    await a.cpu(90);
    const since = Date.now();
    await waitFor(() => Date.now() - since, (ms) => ms >= 1000, 3000, 'the duration');
    await a.cpu(91);
    await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired once');
    for (const v of [75, 85, 65, 95, 62, 81]) await a.cpu(v);
    const alerts = await listAlerts(t, alice, `serverId=${a.server.id}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].status).toBe('active');
    await waitFor(() => events.length, (n) => n === 1, 3000, 'one event');
    expect(events.map((e) => e.change)).toEqual(['fired']);
  });

  it('two rules on one metric have their own alerts: one resolving leaves the other open', async () => {
    const a = await agentOf();
    const warn = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, severity: 'warning' });
    const crit = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 95, severity: 'critical' });
    await a.cpu(85);
    await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'warning');
    await a.cpu(97);
    const both = await waitAlerts(t, alice, a.server.id, (l) => l.length === 2, 'critical too');
    expect(new Set(both.map((x) => x.thresholdId))).toEqual(new Set([warn.id, crit.id]));
    await a.cpu(90); // critical resolves, warning stays
    const after = await waitAlerts(t, alice, a.server.id, (l) => l.some((x) => x.status === 'resolved'), 'critical resolved');
    expect(after.find((x) => x.thresholdId === crit.id)!.status).toBe('resolved');
    expect(after.find((x) => x.thresholdId === warn.id)!.status).toBe('active');
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&severity=critical&status=open`)).toEqual([]);
  });

  it('disabling a rule resolves its open alert and stops it; deleting does too', async () => {
    const a = await agentOf();
    const rule = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 50 });
    const other = await createRule(t, alice, { serverId: a.server.id, metricType: 'load1', comparison: 'gt', thresholdValue: 0.1 });
    await a.cpu(60);
    await waitAlerts(t, alice, a.server.id, (l) => open(l).length === 2, 'two alerts');
    await t.http().put(`/api/v1/alerts/thresholds/${rule.id}`).set(alice.auth).send({ enabled: false }).expect(200);
    let alerts = await listAlerts(t, alice, `serverId=${a.server.id}`);
    expect(alerts.find((x) => x.thresholdId === rule.id)).toMatchObject({ status: 'resolved', resolveReason: 'rule_disabled' });
    expect(alerts.find((x) => x.thresholdId === other.id)!.status).toBe('active');
    await a.cpu(70);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&thresholdId=${rule.id}`)).toHaveLength(1); // no new one

    await t.http().delete(`/api/v1/alerts/thresholds/${other.id}`).set(alice.auth).expect(204);
    alerts = await listAlerts(t, alice, `serverId=${a.server.id}&thresholdId=${other.id}`);
    expect(alerts[0]).toMatchObject({ status: 'resolved', resolveReason: 'rule_deleted' });
    await a.cpu(70);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}&status=open`)).toEqual([]);
    await t.http().get(`/api/v1/alerts/thresholds/${other.id}`).set(alice.auth).expect(404);
    const actions = (await t.db.query(`SELECT action FROM audit_logs WHERE server_id = $1 AND action LIKE 'threshold.%' ORDER BY created_at`, [a.server.id])).rows.map((r: { action: string }) => r.action);
    expect(actions).toEqual(['threshold.create', 'threshold.create', 'threshold.update', 'threshold.delete']);
  });

  it('a rule without serverId covers every server of its owner, including one created afterwards; not other users\'', async () => {
    const bob = await registerUser(t);
    const bobs = await agentOf(bob);
    await createRule(t, bob, { metricType: 'cpu', comparison: 'gt', thresholdValue: 10 });
    await bobs.cpu(50);
    await waitAlerts(t, bob, bobs.server.id, (l) => l.length === 1, 'existing server');
    const later = await agentOf(bob); // created after the rule
    await later.cpu(50);
    await waitAlerts(t, bob, later.server.id, (l) => l.length === 1, 'new server');
    const alices = await agentOf(alice);
    await alices.cpu(50);
    await alices.cpu(51);
    expect(await listAlerts(t, alice, `serverId=${alices.server.id}`)).toEqual([]);
  });

  it('targets: disk `/` by default and `*` for each mount; network per interface', async () => {
    const a = await agentOf();
    await createRule(t, alice, { serverId: a.server.id, metricType: 'disk', comparison: 'gt', thresholdValue: 90 });
    await createRule(t, alice, { serverId: a.server.id, metricType: 'disk', comparison: 'gt', thresholdValue: 95, target: '*', severity: 'critical' });
    await createRule(t, alice, { serverId: a.server.id, metricType: 'network_rx', comparison: 'gt', thresholdValue: 1e6, target: 'eth1' });
    await createRule(t, alice, { serverId: a.server.id, metricType: 'network_tx', comparison: 'gt', thresholdValue: 5e6 });
    await a.send({
      disks: [
        { mount: '/', fs: 'sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 9.2e10, percent: 92 },
        { mount: '/data', fs: 'sdb1', type: 'ext4', totalBytes: 1e12, usedBytes: 9.9e11, percent: 99 },
      ],
      network: [
        { iface: 'lo', rxBytes: 0, txBytes: 0, rxBps: 9e9, txBps: 9e9 },
        { iface: 'eth0', rxBytes: 0, txBytes: 0, rxBps: 5e6, txBps: 3e6 },
        { iface: 'eth1', rxBytes: 0, txBytes: 0, rxBps: 2e6, txBps: 3e6 },
      ],
    });
    const alerts = await waitAlerts(t, alice, a.server.id, (l) => l.length === 4, 'four alerts');
    const got = alerts.map((x) => `${x.metricType}:${x.target}:${x.severity}`).sort();
    expect(got).toEqual(['disk:/:warning', 'disk:/data:critical', 'network_rx:eth1:warning', 'network_tx:null:warning']);
    expect(alerts.find((x) => x.metricType === 'network_tx')!.message).toContain('Network out 6 MB/s > 5 MB/s');
  });

  it('validation: 400 with details for bad input and rules that make no sense; another user\'s rule is 404', async () => {
    const a = await agentOf();
    const bad = await t.http().post('/api/v1/alerts/thresholds').set(alice.auth)
      .send({ serverId: 'nope', metricType: 'temperature', comparison: 'bigger', thresholdValue: 'x', severity: 'meh', durationSec: -1, extra: 1 }).expect(400);
    const fields = (bad.body.details as { field: string }[]).map((d) => d.field);
    for (const f of ['serverId', 'metricType', 'comparison', 'thresholdValue', 'severity', 'durationSec', 'extra']) expect(fields).toContain(f);
    const target = await t.http().post('/api/v1/alerts/thresholds').set(alice.auth).send({ metricType: 'cpu', comparison: 'gt', thresholdValue: 1, target: 'eth0' }).expect(400);
    expect(target.body.details[0].field).toBe('target');
    const clear = await t.http().post('/api/v1/alerts/thresholds').set(alice.auth).send({ metricType: 'cpu', comparison: 'gt', thresholdValue: 80, clearValue: 90 }).expect(400);
    expect(clear.body.message).toContain('clearValue');
    await t.http().post('/api/v1/alerts/thresholds').set(alice.auth)
      .send({ metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: ['00000000-0000-4000-8000-000000000000'] }).expect(400);
    const mine = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80 });
    const mallory = await registerUser(t);
    await t.http().get(`/api/v1/alerts/thresholds/${mine.id}`).set(mallory.auth).expect(404);
    await t.http().put(`/api/v1/alerts/thresholds/${mine.id}`).set(mallory.auth).send({ enabled: false }).expect(404);
    await t.http().delete(`/api/v1/alerts/thresholds/${mine.id}`).set(mallory.auth).expect(404);
    await t.http().post('/api/v1/alerts/thresholds').set(mallory.auth).send({ serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 1 }).expect(404);
    expect((await t.http().get('/api/v1/alerts/thresholds').set(mallory.auth).expect(200)).body).toEqual([]);
    const listed = (await t.http().get(`/api/v1/alerts/thresholds?serverId=${a.server.id}`).set(alice.auth).expect(200)).body as { id: string }[];
    expect(listed.map((r) => r.id)).toContain(mine.id);
  });
});
