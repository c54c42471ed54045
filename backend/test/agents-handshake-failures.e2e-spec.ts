import { ConnectionEventsRetention } from '../src/modules/agents/connection-events-retention.service';
import { HandshakeFailures } from '../src/modules/agents/handshake-failures.service';
import { registerUser, startTestApp, TestApp, waitFor } from './support/app';
import { connectAgent, expectConnectError, provisionServer } from './support/agent-client';

/**
 * Failed agent handshakes cannot fill the database: each is answered `unauthorized` at once, but
 * one client IP gets one `auth_failed` row per minute with a count, and connection events expire
 * after CONNECTION_EVENTS_RETENTION_DAYS.
 */
describe('agent handshake failures and connection-event retention', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CONNECTION_EVENTS_RETENTION_DAYS: '30' });
  });
  afterAll(async () => { await t.close(); });

  const authFailedRows = async (ip?: string): Promise<{ ip: string | null; attempts: number }[]> =>
    (await t.db.query(
      `SELECT ip, attempts FROM connection_events WHERE event = 'auth_failed' AND ($1::text IS NULL OR ip = $1) ORDER BY id`,
      [ip ?? null],
    )).rows;

  it('answers a burst of bad keys from one client with "unauthorized" each, recorded as one counted row', async () => {
    const attempts = 60;
    const answers = await Promise.all(Array.from({ length: attempts }, (_, i) => expectConnectError(t.baseUrl, `cok_${String(i).padStart(43, 'x')}`)));
    expect(new Set(answers)).toEqual(new Set(['unauthorized']));
    // Written by the periodic flush (every few seconds), not by the test.
    const rows = await waitFor(() => authFailedRows(), (r) => r.reduce((n, x) => n + x.attempts, 0) === attempts, 20_000, 'the counted attempts');
    // One row per IP and minute: two only if the burst straddled a window boundary.
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it('counts each client IP on its own row', async () => {
    const failures = t.app.get(HandshakeFailures);
    for (let i = 0; i < 10; i++) for (const ip of ['203.0.113.7', '203.0.113.8', '2001:db8::9']) failures.record(ip, 'invalid, inactive or expired api key');
    await failures.flush();
    const rows = await waitFor(async () => {
      await failures.flush();
      return (await authFailedRows()).filter((r) => r.ip !== null && !r.ip.includes('127.0.0.1'));
    }, (r) => r.length === 3 && r.every((x) => x.attempts === 10), 5000, 'three rows of ten');
    expect(rows.map((r) => r.ip).sort()).toEqual(['2001:db8::9', '203.0.113.7', '203.0.113.8']);
  });

  it('deletes connection events older than CONNECTION_EVENTS_RETENTION_DAYS in batches, and keeps the rest', async () => {
    const user = await registerUser(t);
    const { server, key } = await provisionServer(t, user);
    const agent = await connectAgent(t.baseUrl, key.key); // a 'connected' row of now
    agent.close();
    await t.db.query(
      `INSERT INTO connection_events (event, ip, detail, created_at)
       SELECT 'auth_failed', '198.51.100.1', 'old', now() - interval '31 days' - make_interval(secs => g) FROM generate_series(1, 12000) g`,
    );
    await t.db.query(`INSERT INTO connection_events (server_id, event, ip, created_at) VALUES ($1, 'disconnected', '127.0.0.1', now() - interval '29 days')`, [server.id]);
    const count = async (where: string) => Number((await t.db.query(`SELECT count(*) FROM connection_events WHERE ${where}`)).rows[0].count);
    const keptBefore = await count(`created_at >= now() - interval '30 days'`);
    expect(keptBefore).toBeGreaterThanOrEqual(2);

    expect(await t.app.get(ConnectionEventsRetention).run()).toBe(12_000);
    expect(await count(`created_at < now() - interval '30 days'`)).toBe(0);
    expect(await count(`created_at >= now() - interval '30 days'`)).toBe(keptBefore);
    expect(await count(`server_id = '${server.id}' AND event = 'connected'`)).toBe(1);
  });
});
