import { drainApp } from '../src/app.factory';
import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { InstancePresence } from '../src/modules/agents/instance-presence.service';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, provisionServer, TestAgent } from './support/agent-client';
import { connectLive, LiveClient } from './support/live-client';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * Graceful drain (the first step of SIGTERM with REDIS_URL): instance A stops accepting, tells its
 * agents to reconnect elsewhere and closes them and its browsers, without marking their servers
 * offline; B takes them over. One PostgreSQL, the real Redis.
 */
describe('graceful drain', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    alice = await registerUser(b);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const live of lives) live.close();
    await pair?.close();
  });

  it('sends agents and browsers to the other instance without flapping their servers offline', async () => {
    const moving = await provisionServer(b, alice);
    const gone = await provisionServer(b, alice);
    const onA = [await connectAgent(a.baseUrl, moving.key.key), await connectAgent(a.baseUrl, gone.key.key)];
    agents.push(...onA);
    const live = await connectLive(a.baseUrl, alice.accessToken);
    lives.push(live);
    const liveEnded = new Promise<string>((resolve) => live.on('disconnect', resolve));
    const status = async (id: string) => (await b.db.query('SELECT status FROM servers WHERE id = $1', [id])).rows[0].status;
    const seen: string[] = [];
    const log = setInterval(() => void status(moving.server.id).then((s) => seen.push(s)), 20);

    try {
      await drainApp(a.app);
      for (const agent of onA) {
        expect(agent.reasons).toEqual(['backend shutting down; reconnect to another instance']);
        expect(agent.disconnected()).toBe('io server disconnect');
      }
      expect(await liveEnded).toBe('io server disconnect'); // the dashboard reconnects through the load balancer
      await expect(fetch(`${a.baseUrl}/health`)).rejects.toThrow(); // A accepts no new connection
      expect(a.app.get(AgentManager).connectedCount()).toBe(0);

      // One agent reconnects, to B; the other does not come back.
      agents.push(await connectAgent(b.baseUrl, moving.key.key));
      expect(await status(moving.server.id)).toBe('online');
      expect(await status(gone.server.id)).toBe('online'); // until A is really gone
    } finally {
      clearInterval(log);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 'online')).toBe(true); // never flapped offline

    // A exits (its presence goes): B marks the agent that did not come back offline, and only it.
    await a.app.get(InstancePresence).release();
    await b.app.get(AgentManager).sweepDeadInstances();
    expect(await status(gone.server.id)).toBe('offline');
    expect(await status(moving.server.id)).toBe('online');
    await waitFor(() => b.app.get(AgentManager).isConnected(moving.server.id), Boolean, 2000, 'B holds the moved agent');
  });
});
