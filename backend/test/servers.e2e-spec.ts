import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

describe('servers', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
    alice = await registerUser(t);
  });
  afterAll(async () => { await t.close(); });

  it('creates, reads, lists, partially updates and deletes a server', async () => {
    const created = await t.http().post('/api/v1/servers').set(alice.auth)
      .send({ name: 'web-1', host: 'web-1.internal', port: 22, metadata: { env: 'prod' } }).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String), name: 'web-1', host: 'web-1.internal', port: 22, metadata: { env: 'prod' },
      status: 'unknown', lastSeen: null, createdAt: expect.any(String), updatedAt: expect.any(String), agent: null,
    });
    const id = created.body.id;
    await t.http().get(`/api/v1/servers/${id}`).set(alice.auth).expect(200);
    const list = await t.http().get('/api/v1/servers').set(alice.auth).expect(200);
    expect(list.body.map((s: { id: string }) => s.id)).toContain(id);

    const updated = await t.http().put(`/api/v1/servers/${id}`).set(alice.auth).send({ name: 'web-01' }).expect(200);
    expect(updated.body).toMatchObject({ name: 'web-01', host: 'web-1.internal', port: 22, metadata: { env: 'prod' } });
    const cleared = await t.http().put(`/api/v1/servers/${id}`).set(alice.auth).send({ host: null }).expect(200);
    expect(cleared.body.host).toBeNull();

    await t.http().delete(`/api/v1/servers/${id}`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/servers/${id}`).set(alice.auth).expect(404);
    await t.http().delete(`/api/v1/servers/${id}`).set(alice.auth).expect(404);
  });

  it('shows users their own servers and admins every server', async () => {
    const mine = await createServer(t, alice);
    const adminOwn = await createServer(t, admin);
    const aliceList = (await t.http().get('/api/v1/servers').set(alice.auth).expect(200)).body.map((s: { id: string }) => s.id);
    expect(aliceList).toContain(mine.id);
    expect(aliceList).not.toContain(adminOwn.id);
    const adminList = (await t.http().get('/api/v1/servers').set(admin.auth).expect(200)).body.map((s: { id: string }) => s.id);
    expect(adminList).toEqual(expect.arrayContaining([mine.id, adminOwn.id]));
    await t.http().get(`/api/v1/servers/${mine.id}`).set(admin.auth).expect(200);
  });

  it('deletes a server that has keys, audit rows, connection events and samples, in one go', async () => {
    const s = await createServer(t, alice);
    const key = await createApiKey(t, alice, s.id);
    await t.db.query(`INSERT INTO connection_events (server_id, api_key_id, event, ip) VALUES ($1, $2, 'connected', '127.0.0.1')`, [s.id, key.id]);
    const boot = await t.db.query(`INSERT INTO agent_boots (server_id, boot_id) VALUES ($1, 'boot-1') RETURNING id`, [s.id]);
    await t.db.query(
      `INSERT INTO metric_samples (server_id, boot_ref, seq, ts, cpu, mem, load1) VALUES ($1, $2, 1, now(), 1, 2, 0.1)`,
      [s.id, boot.rows[0].id],
    );
    await t.db.query(`INSERT INTO metric_latest (server_id, ts, sample) VALUES ($1, now(), '{}')`, [s.id]);
    await t.http().delete(`/api/v1/servers/${s.id}`).set(alice.auth).expect(204);
    for (const table of ['api_keys', 'connection_events', 'agent_boots', 'metric_samples', 'metric_latest']) {
      const left = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE server_id = $1`, [s.id]);
      expect({ table, n: left.rows[0].n }).toEqual({ table, n: 0 });
    }
    // the audit trail of the server, including its deletion, is kept
    const audit = await t.db.query(`SELECT action FROM audit_logs WHERE server_id = $1 ORDER BY created_at`, [s.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['server.create', 'api_key.create', 'server.delete']);
  });

  it('audits create, update and delete with the server id, ip and user agent', async () => {
    const s = await createServer(t, alice);
    await t.http().put(`/api/v1/servers/${s.id}`).set(alice.auth).set('User-Agent', 'audit-test/1.0').send({ port: 2222 }).expect(200);
    const row = await t.db.query(`SELECT * FROM audit_logs WHERE server_id = $1 AND action = 'server.update'`, [s.id]);
    expect(row.rows[0]).toMatchObject({ user_id: alice.user.id, success: true, user_agent: 'audit-test/1.0' });
    expect(row.rows[0].ip).toBeTruthy();
    expect(row.rows[0].description).toContain('port');
  });
});
