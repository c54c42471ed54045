import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { connectAgent, provisionServer } from './support/agent-client';
import { createServer, registerUser, startTestApp, TestApp, waitFor } from './support/app';

/** Statuses left behind by a crashed backend are corrected without any agent reconnecting. */
describe('server status reconciliation', () => {
  let t: TestApp;
  // The scheduled key re-check every second (default 60 s), so the test sees the schedule itself work.
  beforeAll(async () => { t = await startTestApp({ AGENT_KEY_RECHECK_SEC: '1' }); });
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

  it('drops agents whose key expired while they were connected, on the scheduled re-check (AGENT_KEY_RECHECK_SEC)', async () => {
    const u = await registerUser(t);
    const a = await provisionServer(t, u);
    const b = await provisionServer(t, u);
    const agentA = await connectAgent(t.baseUrl, a.key.key);
    const agentB = await connectAgent(t.baseUrl, b.key.key);
    const reasons: string[] = [];
    agentA.socket.on('disconnect_reason', ({ reason }) => reasons.push(reason));
    // Nothing tells the backend: only its own periodic re-check can notice (no event, no call here).
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [a.key.id]);
    // Far below the 60 s default: a schedule that ignored the setting, or stopped, fails here.
    await waitFor(() => agentA.socket.connected, (c) => !c, 20_000, 'the expired agent to be disconnected');
    expect(reasons).toEqual(['api key expired or revoked']);
    // The other agent survived at least one more re-check: it is disconnected by nothing but its own key.
    const checks = jest.spyOn(t.app.get(AgentManager), 'checkKeyExpiry');
    await waitFor(() => checks.mock.calls.length, (n) => n >= 1, 20_000, 'another scheduled re-check');
    await checks.mock.results[0].value;
    checks.mockRestore();
    expect(agentB.socket.connected).toBe(true);
    agentB.socket.close();
  });
});
