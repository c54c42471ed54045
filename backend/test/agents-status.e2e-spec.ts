import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { createServer, registerUser, startTestApp, TestApp } from './support/app';

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
});
