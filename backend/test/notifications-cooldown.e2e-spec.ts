import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { createChannel, createRule, deliveries, FAST_ALERTS_ENV, simAgent, SimAgent, startReceiver, waitAlerts } from './support/alerts';

/** The per-alert cooldown: a key that fires again soon after a notified firing is recorded, not notified. */
describe('notification cooldown', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: SimAgent | undefined;

  beforeAll(async () => {
    t = await startTestApp({ ...FAST_ALERTS_ENV, NOTIFY_COOLDOWN_SEC: '600' });
    alice = await registerUser(t);
  });
  afterAll(async () => {
    agent?.close();
    await t.close();
  });

  it('a re-fire within NOTIFY_COOLDOWN_SEC is logged as suppressed, and so is its resolution', async () => {
    const r = await startReceiver();
    try {
      agent = await simAgent(t, alice);
      const hook = await createChannel(t, alice, { name: 'hook', type: 'webhook', url: r.url, secret: 'c'.repeat(20) });
      await createRule(t, alice, { serverId: agent.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [hook.id] });
      await agent.cpu(90);
      await agent.cpu(10);
      await waitFor(() => r.requests.length, (n) => n === 2, 10_000, 'fired and resolved notified');
      await agent.cpu(95); // fires again right away
      const alerts = await waitAlerts(t, alice, agent.server.id, (l) => l.length === 2, 'second alert');
      await agent.cpu(10);
      await waitAlerts(t, alice, agent.server.id, (l) => l.every((a) => a.status === 'resolved'), 'second resolved');
      const log = await waitFor(() => deliveries(t, alice, alerts[0].id), (d) => d.length === 2, 5000, 'two suppressed deliveries');
      expect(log.map((d) => [d.kind, d.status])).toEqual(expect.arrayContaining([['fired', 'suppressed'], ['resolved', 'suppressed']]));
      expect(log[0].detail).toContain('cooldown');
      expect(r.requests).toHaveLength(2);
    } finally {
      await r.close();
    }
  });
});
