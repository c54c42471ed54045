import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

/**
 * A second (non-admin) user calls every servers / api-keys / audit / metrics route on the first
 * user's resources: each answers 404 (never revealing the resource) and nothing changes.
 */
describe('isolation between users', () => {
  let t: TestApp;
  let owner: TestUser;
  let mallory: TestUser;
  let serverId: string;
  let keyId: string;

  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const table of ['servers', 'api_keys', 'users', 'refresh_tokens']) {
      out[table] = (await t.db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    }
    out.audit = (await t.db.query(`SELECT action, server_id, user_id FROM audit_logs WHERE server_id = $1 ORDER BY created_at, id`, [serverId])).rows;
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp();
    await registerUser(t); // the admin: owner and mallory are plain users
    owner = await registerUser(t);
    mallory = await registerUser(t);
    serverId = (await createServer(t, owner)).id;
    keyId = (await createApiKey(t, owner, serverId)).id;
  });
  afterAll(async () => { await t.close(); });

  const routes = (): [string, string, unknown?][] => [
    ['get', `/api/v1/servers/${serverId}`],
    ['put', `/api/v1/servers/${serverId}`, { name: 'pwned' }],
    ['delete', `/api/v1/servers/${serverId}`],
    ['post', '/api/v1/api-keys', { serverId, name: 'stolen' }],
    ['get', `/api/v1/api-keys/server/${serverId}`],
    ['post', `/api/v1/api-keys/${keyId}/deactivate`],
    ['delete', `/api/v1/api-keys/${keyId}`],
    ['get', `/api/v1/audit?serverId=${serverId}`],
    ['get', `/api/v1/metrics/${serverId}`],
    ['get', `/api/v1/metrics/${serverId}/latest`],
    ['get', `/api/v1/metrics/${serverId}/history`],
  ];

  it('answers 404 on every route and changes nothing', async () => {
    const before = await snapshot();
    for (const [method, path, body] of routes()) {
      const req = (t.http() as any)[method](path).set(mallory.auth);
      const res = body ? await req.send(body) : await req;
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: expect.any(String) });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('gives the same answer for another user\'s id as for an id that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const theirs = await t.http().get(`/api/v1/servers/${serverId}`).set(mallory.auth);
    const none = await t.http().get(`/api/v1/servers/${missing}`).set(mallory.auth);
    expect(theirs.status).toBe(none.status);
    expect(theirs.body.message).toBe(none.body.message);
  });

  it('keeps other users\' servers out of lists and audit results', async () => {
    const list = await t.http().get('/api/v1/servers').set(mallory.auth).expect(200);
    expect(list.body).toEqual([]);
    const audit = await t.http().get('/api/v1/audit').set(mallory.auth).expect(200);
    expect(audit.body.items.every((e: { userId: string; serverId: string | null }) => e.userId === mallory.user.id && e.serverId !== serverId)).toBe(true);
    expect(audit.body.items.length).toBeGreaterThan(0); // mallory's own registration is there
  });

  it('still works for the owner afterwards', async () => {
    await t.http().get(`/api/v1/servers/${serverId}`).set(owner.auth).expect(200);
    const keys = await t.http().get(`/api/v1/api-keys/server/${serverId}`).set(owner.auth).expect(200);
    expect(keys.body).toHaveLength(1);
    expect(keys.body[0].isActive).toBe(true);
  });
});
