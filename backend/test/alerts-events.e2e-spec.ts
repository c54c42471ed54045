import { randomUUID } from 'node:crypto';
import type { ContainerEvent, ContainerEventAction } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { createRule, FAST_ALERTS_ENV, getAlert, listAlerts, simAgent, SimAgent, waitAlerts } from './support/alerts';

/** Event-based rules: an agent going offline, containers dying and turning unhealthy (simulated agent frames). */
describe('alert rules on events', () => {
  let t: TestApp;
  let alice: TestUser;
  const agents: SimAgent[] = [];

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    await registerUser(t); // the admin
    alice = await registerUser(t);
  });
  afterEach(() => { for (const a of agents.splice(0)) a.close(); });
  afterAll(async () => { await t.close(); });

  const containerEvent = (a: SimAgent, name: string, action: ContainerEventAction, over: Partial<ContainerEvent> = {}) => {
    const ev: ContainerEvent = { containerId: randomUUID().replace(/-/g, ''), name, image: 'nginx:1', action, exitCode: null, health: null, time: new Date().toISOString(), ...over };
    a.agent.socket.emit('container_event', ev);
  };

  it('offline: a blip shorter than durationSec is nothing; an outage fires after it; reconnecting resolves it', async () => {
    const a = await simAgent(t, alice);
    const rule = await createRule(t, alice, { serverId: a.server.id, metricType: 'offline', comparison: 'eq', thresholdValue: 1, durationSec: 3, severity: 'critical' });
    // a blip shorter than the duration: nothing
    a.close();
    await waitFor(() => t.http().get(`/api/v1/servers/${a.server.id}`).set(alice.auth), (r) => r.body.status === 'offline', 5000, 'offline');
    const back = await reconnect(a);
    expect(await listAlerts(t, alice, `serverId=${a.server.id}`)).toEqual([]);
    // a real outage
    const wentAway = Date.now();
    back.close();
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'offline alert');
    expect(Date.now() - wentAway).toBeGreaterThanOrEqual(3000);
    expect(alert).toMatchObject({ thresholdId: rule.id, metricType: 'offline', severity: 'critical', status: 'active', target: null });
    expect(alert.message).toBe(`${a.server.name}: agent offline for 3 s`);
    const again = await reconnect(a);
    agents.push(again);
    await waitAlerts(t, alice, a.server.id, (l) => l[0].status === 'resolved', 'resolved on reconnect');
  });

  it('container_down: die fires per container (`*`), start resolves; a named target ignores other containers', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    await createRule(t, alice, { serverId: a.server.id, metricType: 'container_down', comparison: 'eq', thresholdValue: 1, target: '*' });
    await createRule(t, alice, { serverId: a.server.id, metricType: 'container_down', comparison: 'eq', thresholdValue: 1, target: 'db', severity: 'critical' });
    containerEvent(a, 'web', 'die', { exitCode: 137 });
    const [web] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'web down');
    expect(web).toMatchObject({ metricType: 'container_down', target: 'web', severity: 'warning' });
    expect(web.message).toBe(`${a.server.name}: container web is down`);
    expect((await getAlert(t, alice, web.id)).snapshot).toMatchObject({ samples: [{ value: 1 }] });
    containerEvent(a, 'db', 'oom');
    const three = await waitAlerts(t, alice, a.server.id, (l) => l.length === 3, 'db down twice (two rules)');
    expect(three.filter((x) => x.target === 'db').map((x) => x.severity).sort()).toEqual(['critical', 'warning']);
    containerEvent(a, 'web', 'start');
    await waitAlerts(t, alice, a.server.id, (l) => l.find((x) => x.id === web.id)?.status === 'resolved', 'web resolved');
    // a sample showing db running resolves db's alerts too (its start event was missed)
    await a.send({ containers: [{ id: 'd', name: 'db', image: 'pg', state: 'running', status: 'Up 1 second' }] });
    await waitAlerts(t, alice, a.server.id, (l) => l.every((x) => x.status === 'resolved'), 'db resolved by a sample');
  });

  it('container_unhealthy: health_status unhealthy fires, healthy resolves', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    await createRule(t, alice, { serverId: a.server.id, metricType: 'container_unhealthy', comparison: 'eq', thresholdValue: 1 });
    containerEvent(a, 'api', 'health_status', { health: 'starting' });
    containerEvent(a, 'api', 'health_status', { health: 'unhealthy' });
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'unhealthy');
    expect(alert).toMatchObject({ metricType: 'container_unhealthy', target: 'api' });
    expect(alert.message).toBe(`${a.server.name}: container api is unhealthy`);
    containerEvent(a, 'api', 'health_status', { health: 'healthy' });
    await waitAlerts(t, alice, a.server.id, (l) => l[0].status === 'resolved', 'healthy again');
  });

  it('container CPU and memory from samples, per container', async () => {
    const a = await simAgent(t, alice);
    agents.push(a);
    await createRule(t, alice, { serverId: a.server.id, metricType: 'container_cpu', comparison: 'gt', thresholdValue: 150 });
    await createRule(t, alice, { serverId: a.server.id, metricType: 'container_memory', comparison: 'gte', thresholdValue: 90, target: 'cache' });
    await a.send({ containers: [
      { id: '1', name: 'worker', image: 'w', state: 'running', status: 'Up', cpuPercent: 180, memBytes: 1e8, memLimitBytes: 1e9 },
      { id: '2', name: 'cache', image: 'redis', state: 'running', status: 'Up', cpuPercent: 5, memBytes: 9.5e8, memLimitBytes: 1e9 },
      { id: '3', name: 'other', image: 'x', state: 'running', status: 'Up', cpuPercent: 5, memBytes: 9.9e8, memLimitBytes: 1e9 },
    ] });
    const alerts = await waitAlerts(t, alice, a.server.id, (l) => l.length === 2, 'two container alerts');
    expect(alerts.map((x) => `${x.metricType}:${x.target}`).sort()).toEqual(['container_cpu:worker', 'container_memory:cache']);
  });

  /** The same server's agent connecting again with its key. */
  async function reconnect(a: SimAgent): Promise<SimAgent> {
    const keyRes = await t.http().post('/api/v1/api-keys').set(alice.auth).send({ serverId: a.server.id, name: 'again' }).expect(201);
    return simAgent(t, alice, undefined, { server: a.server, apiKey: keyRes.body.key });
  }
});
