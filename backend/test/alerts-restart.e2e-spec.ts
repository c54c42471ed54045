import { Client } from 'pg';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { createChannel, createRule, deliveries, FAST_ALERTS_ENV, getAlert, listAlerts, simAgent, SimAgent, startReceiver, waitAlerts } from './support/alerts';
import { createApiKey } from './support/app';

async function dropDatabase(url: string): Promise<void> {
  const admin = new Client({ connectionString: process.env.CHATOPS_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

/** Stops a test backend but keeps its database (a restart). */
async function stop(t: TestApp): Promise<void> {
  await t.db.end();
  await t.app.close();
}

/** A backend restart keeps what the engine knew: a condition pending for part of its duration, and open alerts. */
describe('alerts across a backend restart', () => {
  let t: TestApp;
  let dbUrl: string;
  let alice: TestUser;
  const agents: SimAgent[] = [];

  beforeEach(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    dbUrl = t.dbUrl;
    alice = await registerUser(t);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.db.end().catch(() => undefined);
    await t.app.close();
    await dropDatabase(dbUrl);
  });

  it('restart while pending: the duration counts from the first breach seen before the restart', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    const rule = await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, durationSec: 2 });
    const firstBreach = Date.now();
    await a.cpu(90);
    const pending = await waitFor(() => t.db.query('SELECT since FROM alert_pending WHERE threshold_id = $1', [rule.id]), (r) => r.rows.length === 1, 5000, 'pending state persisted');
    // The duration counts from when the engine saw the breach, a little after it was sent (more on a loaded machine).
    const since = new Date(pending.rows[0].since).getTime();
    await stop(t);

    t = await startTestApp(FAST_ALERTS_ENV, { dbUrl });
    const key = await createApiKey(t, alice, a.server.id);
    const again = await simAgent(t, alice, undefined, { server: a.server, apiKey: key.key });
    agents.push(again);
    await waitFor(() => Date.now() - since, (ms) => ms >= 2100, 10_000, 'the duration since the first breach');
    await again.cpu(91); // the first sample after the restart completes the duration
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'the alert');
    expect(Date.parse(alert.startedAt)).toBeLessThanOrEqual(firstBreach + 1000);
    expect((await getAlert(t, alice, alert.id)).snapshot!.samples.map((p) => p.value)).toEqual([90, 91]);
    await waitFor(() => t.db.query('SELECT count(*)::int AS n FROM alert_pending'), (r) => r.rows[0].n === 0, 5000, 'pending state cleared');
  });

  it('restart while firing: the open alert stays one and resolves when the value recovers', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, clearValue: 50 });
    await a.cpu(90);
    const [fired] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired');
    await stop(t);

    t = await startTestApp(FAST_ALERTS_ENV, { dbUrl });
    const key = await createApiKey(t, alice, a.server.id);
    const again = await simAgent(t, alice, undefined, { server: a.server, apiKey: key.key });
    agents.push(again);
    await again.cpu(95);
    await again.cpu(60); // above clearValue: still firing (the rule's hysteresis is known after the restart)
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toMatchObject([{ id: fired.id, status: 'active' }]);
    await again.cpu(40);
    const [resolved] = await waitAlerts(t, alice, a.server.id, (l) => l[0]?.status === 'resolved', 'resolved after the restart');
    expect(resolved).toMatchObject({ id: fired.id, resolveReason: 'recovered', currentValue: 40 });
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toHaveLength(1);
  });

  it('a delivery that failed before the restart is retried by the restarted backend', async () => {
    const receiver = await startReceiver([500]);
    try {
      // retries far enough apart that the restart falls between two attempts
      const env = { ...FAST_ALERTS_ENV, NOTIFY_RETRY_DELAY_SEC: '8' }; // the first retry comes 4–8 s later (pg-boss backoff with jitter)
      await stop(t);
      t = await startTestApp(env, { dbUrl });
      const a = await simAgent(t, alice);
      agents.push(a);
      const hook = await createChannel(t, alice, { name: 'hook', type: 'webhook', url: receiver.url, secret: 'r'.repeat(20) });
      await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [hook.id] });
      await a.cpu(90);
      const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired');
      await waitFor(() => deliveries(t, alice, alert.id), (d) => d[0]?.attempts.length === 1, 5000, 'the failed first attempt');
      await stop(t);
      expect(receiver.requests).toHaveLength(1);

      t = await startTestApp(env, { dbUrl });
      const log = await waitFor(() => deliveries(t, alice, alert.id), (d) => d[0]?.status === 'sent', 30_000, 'delivered after the restart');
      expect(log[0].attempts.map((x) => x.statusCode)).toEqual([500, 200]);
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
