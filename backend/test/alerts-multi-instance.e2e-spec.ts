import type { Redis } from 'ioredis';
import { AlertEngine } from '../src/modules/alerts/alert-engine.service';
import { AlertRuleCache } from '../src/modules/alerts/alert-rule-cache.service';
import { MetricsIngestService } from '../src/modules/metrics/metrics-ingest.service';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { createChannel, createRule, deliveries, FAST_ALERTS_ENV, listAlerts, startReceiver, watchAlerts } from './support/alerts';
import type { LiveClient } from './support/live-client';
import { connectTestRedis, TEST_REDIS_URL } from './support/redis';

/**
 * Two backend instances on one database and one Redis (real PostgreSQL, real Redis): a rule made
 * on one applies on the other, and a breach seen by both at once opens one alert, announced and
 * notified once.
 */
describe('alerts on two instances', () => {
  let redis: Redis | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  const sockets: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis(); // first: without Redis this fails at once, saying how to start it
    a = await startTestApp({ ...FAST_ALERTS_ENV, REDIS_URL: TEST_REDIS_URL });
    b = await startTestApp({ ...FAST_ALERTS_ENV, REDIS_URL: TEST_REDIS_URL }, { dbUrl: a.dbUrl });
    alice = await registerUser(a);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const l of lives) l.close();
    await b?.close();
    await a?.close();
    redis?.disconnect();
  });

  it('opens an alert once when both instances see the breach at the same time', async () => {
    const receiver = await startReceiver();
    try {
      const { server, key } = await provisionServer(a, alice);
      const hook = await createChannel(a, alice, { name: 'hook', type: 'webhook', url: receiver.url, secret: 's'.repeat(20) });
      const rule = await createRule(a, alice, { serverId: server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [hook.id] });
      // the rule reaches instance b through the database within ALERT_SYNC_MS
      await waitFor(() => b.app.get(AlertRuleCache).rules.has(rule.id), Boolean, 5000, 'rule synced to b');
      const { live, events } = await watchAlerts(a, alice, server.id);
      lives.push(live);

      // The agent on A; B ingests samples of the same server at the same time (as the frames in
      // flight on an old connection while the agent fails over: a server has one connection across
      // instances, so B's samples come through its ingest, not a second socket).
      const onA = await connectAgent(a.baseUrl, key.key);
      sockets.push(onA);
      const hello = makeHello();
      onA.socket.emit('hello', hello);
      const sample = (seq: number) => makeSample(seq, hello.bootId, { cpu: { percent: 95, perCore: [95], load: [1, 1, 1], cores: 1 } });
      const ingestOnB = b.app.get(MetricsIngestService);
      const [ack] = await Promise.all([sendMetrics(onA.socket, sample(1)), ingestOnB.ingest(server.id, [sample(2)])]);
      expect(ack.ok).toBe(true);
      await Promise.all([sendMetrics(onA.socket, sample(3)), ingestOnB.ingest(server.id, [sample(4)])]);

      const [alert] = await waitFor(() => listAlerts(a, alice, `serverId=${server.id}`), (l) => l.length === 1, 5000, 'one alert');
      await waitFor(() => events.length, (n) => n >= 1, 5000, 'the live event');
      await waitFor(() => receiver.requests.length, (n) => n >= 1, 5000, 'the webhook');
      const { rows } = await a.db.query('SELECT count(*)::int AS n FROM alerts WHERE server_id = $1', [server.id]);
      expect(rows[0].n).toBe(1);
      expect(a.app.get(AlertEngine).stats.fired + b.app.get(AlertEngine).stats.fired).toBe(1);
      expect(events.filter((e) => e.change === 'fired')).toHaveLength(1);
      const log = await waitFor(() => deliveries(a, alice, alert.id), (d) => d[0]?.status === 'sent', 5000, 'delivery logged as sent');
      expect(log).toHaveLength(1);
      expect(receiver.requests).toHaveLength(1);

      // resolved on b by a user: a's sockets hear it through Redis
      await b.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(alice.auth).send({ note: 'done' }).expect(200);
      await waitFor(() => events.length, (n) => n === 2, 5000, 'resolve event relayed');
      expect(events[1]).toMatchObject({ change: 'resolved', alert: { id: alert.id, resolvedBy: alice.user.username } });
    } finally {
      await receiver.close();
    }
  });

  it('offline: a server that goes offline on A and comes back through B within durationSec fires nowhere; an outage fires once', async () => {
    const { server, key } = await provisionServer(a, alice);
    const rule = await createRule(a, alice, { serverId: server.id, metricType: 'offline', comparison: 'eq', thresholdValue: 1, durationSec: 3, severity: 'critical' });
    await waitFor(() => b.app.get(AlertRuleCache).rules.has(rule.id), Boolean, 5000, 'rule synced to b');
    const status = async () => (await a.db.query('SELECT status FROM servers WHERE id = $1', [server.id])).rows[0].status;
    const onA = await connectAgent(a.baseUrl, key.key);
    await waitFor(status, (s) => s === 'online', 5000, 'online on A');
    // The agent fails over: offline written by A, online again written by B.
    onA.close();
    await waitFor(status, (s) => s === 'offline', 5000, 'offline');
    const onB = await connectAgent(b.baseUrl, key.key);
    sockets.push(onB);
    await waitFor(status, (s) => s === 'online', 5000, 'online on B');
    await new Promise((r) => setTimeout(r, 4000)); // past durationSec
    expect(await listAlerts(a, alice, `serverId=${server.id}`)).toEqual([]);
    // A real outage: one alert, though both instances follow the server's status.
    onB.close();
    await waitFor(() => listAlerts(a, alice, `serverId=${server.id}`), (l) => l.length === 1, 10_000, 'the offline alert');
    await new Promise((r) => setTimeout(r, 1000));
    const { rows } = await a.db.query('SELECT count(*)::int AS n FROM alerts WHERE server_id = $1', [server.id]);
    expect(rows[0].n).toBe(1);
  });
});
