import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { connectAgent, provisionServer } from './support/agent-client';
import { createServer, registerUser, startTestApp, TestApp, waitFor } from './support/app';

/** Statuses left behind by a crashed backend are corrected without any agent reconnecting. */
describe('server status reconciliation', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t.close(); });

  it('marks servers offline whose agent nobody has heard from for a minute, and keeps fresh ones', async () => {
    const u = await registerUser(t);
    const stale = await createServer(t, u);
    const fresh = await createServer(t, u);
    await t.db.query(`UPDATE servers SET status = 'online', last_seen = now() - interval '5 minutes' WHERE id = $1`, [stale.id]);
    await t.db.query(`UPDATE servers SET status = 'online', last_seen = now() - interval '5 seconds' WHERE id = $1`, [fresh.id]);
    await t.app.get(AgentManager).reconcileStatuses();
    const status = async (id: string) => (await t.http().get(`/api/v1/servers/${id}`).set(u.auth).expect(200)).body.status;
    expect(await status(stale.id)).toBe('offline');
    expect(await status(fresh.id)).toBe('online');
  });

  it('drops agents whose key expired while they were connected, with one query for all keys', async () => {
    const u = await registerUser(t);
    const a = await provisionServer(t, u);
    const b = await provisionServer(t, u);
    const agentA = await connectAgent(t.baseUrl, a.key.key);
    const agentB = await connectAgent(t.baseUrl, b.key.key);
    const reasons: string[] = [];
    agentA.socket.on('disconnect_reason', ({ reason }) => reasons.push(reason));
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [a.key.id]);
    await t.app.get(AgentManager).checkKeyExpiry();
    await waitFor(() => agentA.socket.connected, (c) => !c, 3000, 'the expired agent to be disconnected');
    expect(reasons).toEqual(['api key expired or revoked']);
    expect(agentB.socket.connected).toBe(true);
    agentB.socket.close();
  });
});
