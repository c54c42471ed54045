import type { Redis } from 'ioredis';
import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { createApiKey, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, provisionServer, TestAgent } from './support/agent-client';
import { connectTestRedis, TEST_REDIS_URL } from './support/redis';

/**
 * Two real backend instances on one PostgreSQL database and the real Redis: what is done to an
 * agent through one instance reaches it on the other (revocation, deletion), and the rules of one
 * instance hold across both.
 */
describe('agents across two instances (REDIS_URL)', () => {
  let redis: Redis | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  const agents: TestAgent[] = [];
  const escaped: string[] = [];
  const onEscaped = (err: unknown) => escaped.push(err instanceof Error ? err.stack ?? err.message : String(err));

  beforeAll(async () => {
    redis = await connectTestRedis(); // fails at once, saying how to start Redis, when it is not running
    process.on('unhandledRejection', onEscaped);
    process.on('uncaughtException', onEscaped);
    a = await startTestApp({ REDIS_URL: TEST_REDIS_URL });
    b = await startTestApp({ REDIS_URL: TEST_REDIS_URL }, { dbUrl: a.dbUrl });
    alice = await registerUser(a);
  });
  afterEach(() => {
    for (const agent of agents.splice(0)) agent.close();
    expect(escaped).toEqual([]);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onEscaped);
    process.off('uncaughtException', onEscaped);
    await b?.close();
    await a?.close();
    redis?.disconnect();
  });

  const on = async (t: TestApp, key: string) => {
    const agent = await connectAgent(t.baseUrl, key);
    agents.push(agent);
    return agent;
  };
  const statusOf = async (serverId: string) =>
    (await a.db.query('SELECT status FROM servers WHERE id = $1', [serverId])).rows[0]?.status as string | undefined;

  describe('revocation and deletion reach the agent on the other instance', () => {
    it('a key deactivated on B disconnects its agent on A (with the reason); the server\'s other key stays', async () => {
      const { server, key } = await provisionServer(a, alice);
      const other = await createApiKey(a, alice, server.id);
      const revoked = await on(a, key.key);
      await b.http().post(`/api/v1/api-keys/${key.id}/deactivate`).set(alice.auth).expect(200);
      await waitFor(() => revoked.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(revoked.reasons).toEqual(['api key revoked']);
      expect(revoked.disconnected()).toBe('io server disconnect');
      // The server keeps its other key: an agent with it connects (on either instance).
      const replacement = await on(b, other.key);
      expect(replacement.socket.connected).toBe(true);
    });

    it('a key deleted on B disconnects its agent on A', async () => {
      const { key } = await provisionServer(a, alice);
      const agent = await on(a, key.key);
      await b.http().delete(`/api/v1/api-keys/${key.id}`).set(alice.auth).expect(204);
      await waitFor(() => agent.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(agent.reasons).toEqual(['api key revoked']);
    });

    it('a server deleted on B disconnects its agent on A; other servers\' agents stay', async () => {
      const doomed = await provisionServer(a, alice);
      const kept = await provisionServer(a, alice);
      const agent = await on(a, doomed.key.key);
      const bystander = await on(a, kept.key.key);
      await b.http().delete(`/api/v1/servers/${doomed.server.id}`).set(alice.auth).expect(204);
      await waitFor(() => agent.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(agent.reasons).toEqual(['server deleted']);
      await waitFor(() => a.app.get(AgentManager).isConnected(doomed.server.id), (c) => !c, 5000, 'A to forget the connection');
      expect(bystander.socket.connected).toBe(true);
      expect(await statusOf(kept.server.id)).toBe('online');
    });
  });
});
