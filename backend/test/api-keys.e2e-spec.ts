import { createHash } from 'node:crypto';
import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

describe('api keys', () => {
  let t: TestApp;
  let u: TestUser;
  let serverId: string;
  beforeAll(async () => {
    t = await startTestApp();
    u = await registerUser(t);
    serverId = (await createServer(t, u)).id;
  });
  afterAll(async () => { await t.close(); });

  const identify = (key?: string) => {
    const req = t.http().get('/api/v1/api-keys/me');
    return key === undefined ? req : req.set('X-API-Key', key);
  };

  it('creates a cok_ key shown once and stores only its SHA-256', async () => {
    const created = await t.http().post('/api/v1/api-keys').set(u.auth).send({ serverId, name: 'prod agent' }).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String), serverId, name: 'prod agent', key: expect.stringMatching(/^cok_[A-Za-z0-9_-]{43}$/),
      keyPrefix: expect.stringMatching(/^cok_[A-Za-z0-9_-]{8}$/), isActive: true, expiresAt: null, lastUsedAt: null, createdAt: expect.any(String),
    });
    const row = (await t.db.query('SELECT * FROM api_keys WHERE id = $1', [created.body.id])).rows[0];
    expect(row.key_hash).toBe(createHash('sha256').update(created.body.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.body.key);
    const list = await t.http().get(`/api/v1/api-keys/server/${serverId}`).set(u.auth).expect(200);
    const listed = list.body.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('key');
    expect(created.body.key.startsWith(created.body.keyPrefix)).toBe(true);
    expect(listed.keyPrefix).toBe(created.body.keyPrefix); // the list tells keys apart
  });

  it('identifies a key with X-API-Key and records lastUsedAt', async () => {
    const key = await createApiKey(t, u, serverId, { name: 'ident' });
    const res = await identify(key.key).expect(200);
    expect(res.body).toEqual({ serverId, keyId: key.id, name: 'ident', isActive: true });
    const used = await waitFor(async () => (await t.db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id])).rows[0].last_used_at);
    expect(used).toBeInstanceOf(Date);
    await identify().expect(401);
    await identify('cok_' + 'A'.repeat(43)).expect(401);
    await identify('garbage').expect(401);
  });

  it('stops working when deactivated, deleted or expired', async () => {
    const a = await createApiKey(t, u, serverId);
    const deactivated = await t.http().post(`/api/v1/api-keys/${a.id}/deactivate`).set(u.auth).expect(200);
    expect(deactivated.body.isActive).toBe(false);
    await identify(a.key).expect(401);

    const b = await createApiKey(t, u, serverId);
    await t.http().delete(`/api/v1/api-keys/${b.id}`).set(u.auth).expect(204);
    await identify(b.key).expect(401);
    await t.http().delete(`/api/v1/api-keys/${b.id}`).set(u.auth).expect(404);

    const c = await createApiKey(t, u, serverId, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await identify(c.key).expect(200);
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [c.id]);
    await identify(c.key).expect(401);
  });

  it('audits key creation, deactivation and deletion', async () => {
    const k = await createApiKey(t, u, serverId);
    await t.http().post(`/api/v1/api-keys/${k.id}/deactivate`).set(u.auth).expect(200);
    await t.http().delete(`/api/v1/api-keys/${k.id}`).set(u.auth).expect(204);
    const rows = await t.db.query(`SELECT action FROM audit_logs WHERE server_id = $1 AND action LIKE 'api_key.%' ORDER BY created_at`, [serverId]);
    expect(rows.rows.map((r) => r.action).slice(-3)).toEqual(['api_key.create', 'api_key.deactivate', 'api_key.delete']);
  });
});
