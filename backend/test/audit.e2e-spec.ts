import { createServer, registerUser, startTestApp, TestApp, TestUser } from './support/app';

describe('audit log API', () => {
  let t: TestApp;
  let admin: TestUser;
  let u: TestUser;
  let serverId: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t);
    u = await registerUser(t);
    serverId = (await createServer(t, u)).id;
    for (let i = 0; i < 7; i++) await t.http().put(`/api/v1/servers/${serverId}`).set(u.auth).send({ name: `renamed-${i}` }).expect(200);
  });
  afterAll(async () => { await t.close(); });

  it('lists entries newest first with the contract fields', async () => {
    const res = await t.http().get('/api/v1/audit').set(u.auth).expect(200);
    const items = res.body.items;
    expect(items[0]).toEqual({
      id: expect.any(String), userId: u.user.id, serverId, action: 'server.update', description: expect.stringContaining('renamed-6'),
      ip: expect.any(String), userAgent: null, success: true, createdAt: expect.any(String),
      ownerId: u.user.id, teamId: null, actingAsAdmin: false, channel: null,
    });
    const times = items.map((i: { createdAt: string }) => Date.parse(i.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by server and action', async () => {
    const res = await t.http().get(`/api/v1/audit?serverId=${serverId}&action=server.create`).set(u.auth).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ action: 'server.create', serverId });
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/v1/audit?serverId=${serverId}&limit=3${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.http().get(q).set(u.auth).expect(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    const all = await t.http().get(`/api/v1/audit?serverId=${serverId}&limit=200`).set(u.auth).expect(200);
    expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));
    expect(seen).toHaveLength(8); // create + 7 updates
    expect(pages).toBe(3);
  });

  it('shows admins every entry, including other users\'', async () => {
    const res = await t.http().get(`/api/v1/audit?serverId=${serverId}&limit=200`).set(admin.auth).expect(200);
    expect(res.body.items).toHaveLength(8);
    const regs = await t.http().get('/api/v1/audit?action=auth.register').set(admin.auth).expect(200);
    expect(regs.body.items.map((i: { userId: string }) => i.userId)).toEqual(expect.arrayContaining([admin.user.id, u.user.id]));
  });

  describe('admin actions on another user\'s server', () => {
    let owner: TestUser;
    let bystander: TestUser;
    let sid: string;
    beforeAll(async () => {
      owner = await registerUser(t);
      bystander = await registerUser(t);
      sid = (await createServer(t, owner, 'owned-by-someone')).id;
      await t.http().put(`/api/v1/servers/${sid}`).set(admin.auth).send({ name: 'renamed-by-admin' }).expect(200);
      await t.http().post('/api/v1/api-keys').set(admin.auth).send({ serverId: sid, name: 'admin-key' }).expect(201);
      await t.http().delete(`/api/v1/servers/${sid}`).set(admin.auth).expect(204);
    });

    it('are marked in the entry and its description, and listed to the owner, even after the server is gone', async () => {
      const res = await t.http().get('/api/v1/audit?limit=200').set(owner.auth).expect(200);
      const byAdmin = res.body.items.filter((i: { userId: string }) => i.userId === admin.user.id);
      expect(byAdmin.map((i: { action: string }) => i.action)).toEqual(['server.delete', 'api_key.create', 'server.update']);
      for (const entry of byAdmin) {
        expect(entry).toMatchObject({ serverId: sid, ownerId: owner.user.id, actingAsAdmin: true });
        expect(entry.description).toContain(`[admin ${admin.user.username} acting on a server owned by another user]`);
      }
      // the owner's own action on it is not marked
      const own = res.body.items.find((i: { action: string; serverId: string }) => i.action === 'server.create' && i.serverId === sid);
      expect(own).toMatchObject({ userId: owner.user.id, ownerId: owner.user.id, actingAsAdmin: false });
      expect(own.description).not.toContain('[admin');
    });

    it('are not marked when the admin acts on their own server, and stay invisible to other users', async () => {
      const mine = await createServer(t, admin, 'admins-own');
      await t.http().put(`/api/v1/servers/${mine.id}`).set(admin.auth).send({ name: 'admins-own-2' }).expect(200);
      const res = await t.http().get(`/api/v1/audit?serverId=${mine.id}`).set(admin.auth).expect(200);
      expect(res.body.items.map((i: { actingAsAdmin: boolean }) => i.actingAsAdmin)).toEqual([false, false]);
      const other = await t.http().get('/api/v1/audit?limit=200').set(bystander.auth).expect(200);
      expect(other.body.items.filter((i: { serverId: string | null }) => i.serverId === sid || i.serverId === mine.id)).toEqual([]);
    });
  });
});
