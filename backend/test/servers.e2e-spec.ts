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
      status: 'unknown', lastSeen: null, createdAt: expect.any(String), updatedAt: expect.any(String), agent: null, tags: [],
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

  describe('tags', () => {
    const names = (res: { body: { name: string }[] }) => res.body.map((s) => s.name).sort();

    it('stores tags trimmed, lower-cased and without duplicates on create and replaces them on PUT', async () => {
      const created = await t.http().post('/api/v1/servers').set(alice.auth)
        .send({ name: 'tagged-1', tags: [' Prod ', 'eu-west:1', 'prod', 'db_main.v2'] }).expect(201);
      expect(created.body.tags).toEqual(['prod', 'eu-west:1', 'db_main.v2']);
      const got = await t.http().get(`/api/v1/servers/${created.body.id}`).set(alice.auth).expect(200);
      expect(got.body.tags).toEqual(['prod', 'eu-west:1', 'db_main.v2']);
      // A PUT without tags keeps them; with tags replaces them; [] clears them.
      await t.http().put(`/api/v1/servers/${created.body.id}`).set(alice.auth).send({ name: 'tagged-01' }).expect(200);
      expect((await t.http().get(`/api/v1/servers/${created.body.id}`).set(alice.auth)).body.tags).toEqual(['prod', 'eu-west:1', 'db_main.v2']);
      const replaced = await t.http().put(`/api/v1/servers/${created.body.id}`).set(alice.auth).send({ tags: ['staging'] }).expect(200);
      expect(replaced.body.tags).toEqual(['staging']);
      const cleared = await t.http().put(`/api/v1/servers/${created.body.id}`).set(alice.auth).send({ tags: [] }).expect(200);
      expect(cleared.body.tags).toEqual([]);
    });

    it('refuses invalid tags with 400 and the field, never a 500', async () => {
      const s = await createServer(t, alice);
      const bad: [string, unknown][] = [
        ['not a list', 'prod'], ['null', null], ['a number', [1]], ['empty', ['']], ['spaces inside', ['two words']],
        ['33 characters', ['a'.repeat(33)]], ['leading dash', ['-x']], ['a slash', ['a/b']], ['21 tags', Array.from({ length: 21 }, (_, i) => `t${i}`)],
        ['an object', [{ tag: 'x' }]], ['NUL', ['a\u0000']],
      ];
      for (const [what, tags] of bad) {
        const create = await t.http().post('/api/v1/servers').set(alice.auth).send({ name: 'bad-tags', tags });
        expect({ what, status: create.status, field: create.body.details?.[0]?.field }).toEqual({ what, status: 400, field: expect.stringMatching(/^tags(\[\d+\])?$/) });
        const update = await t.http().put(`/api/v1/servers/${s.id}`).set(alice.auth).send({ tags });
        expect({ what, status: update.status }).toEqual({ what, status: 400 });
      }
      // 20 tags of 32 characters are fine
      const max = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(30)}`);
      expect((await t.http().put(`/api/v1/servers/${s.id}`).set(alice.auth).send({ tags: max }).expect(200)).body.tags).toEqual(max);
    });

    it('filters the list by tag, only among the servers the user may see', async () => {
      const bob = await registerUser(t);
      const tag = `team-${Date.now().toString(36)}`;
      await t.http().post('/api/v1/servers').set(alice.auth).send({ name: 'a-web', tags: [tag, 'web'] }).expect(201);
      await t.http().post('/api/v1/servers').set(alice.auth).send({ name: 'a-db', tags: ['db'] }).expect(201);
      await t.http().post('/api/v1/servers').set(bob.auth).send({ name: 'b-web', tags: [tag] }).expect(201);

      expect(names(await t.http().get('/api/v1/servers').query({ tag }).set(alice.auth).expect(200))).toEqual(['a-web']);
      expect(names(await t.http().get('/api/v1/servers').query({ tag: tag.toUpperCase() }).set(alice.auth).expect(200))).toEqual(['a-web']);
      expect(names(await t.http().get('/api/v1/servers').query({ tag }).set(bob.auth).expect(200))).toEqual(['b-web']);
      expect(names(await t.http().get('/api/v1/servers').query({ tag }).set(admin.auth).expect(200))).toEqual(['a-web', 'b-web']);
      expect((await t.http().get('/api/v1/servers').query({ tag: 'no-such-tag' }).set(alice.auth).expect(200)).body).toEqual([]);
      for (const bad of ['a b', 'x'.repeat(33), '']) {
        const res = await t.http().get('/api/v1/servers').query({ tag: bad }).set(alice.auth);
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      }
      const twice = await t.http().get(`/api/v1/servers?tag=${tag}&tag=web`).set(alice.auth);
      expect(twice.status).toBe(400);
      await t.http().get('/api/v1/servers').query({ color: 'red' }).set(alice.auth).expect(400);
    });

    it("cannot change another user's tags, and audits tag changes with what changed", async () => {
      const bob = await registerUser(t);
      const s = await createServer(t, alice);
      await t.http().put(`/api/v1/servers/${s.id}`).set(bob.auth).send({ tags: ['mine'] }).expect(404);
      expect((await t.http().get(`/api/v1/servers/${s.id}`).set(alice.auth)).body.tags).toEqual([]);
      await t.http().put(`/api/v1/servers/${s.id}`).set(alice.auth).send({ tags: ['prod', 'web'] }).expect(200);
      await t.http().put(`/api/v1/servers/${s.id}`).set(alice.auth).send({ tags: ['prod', 'db'] }).expect(200);
      const rows = await t.db.query(`SELECT description FROM audit_logs WHERE server_id = $1 AND action = 'server.update' ORDER BY created_at`, [s.id]);
      expect(rows.rows.map((r) => r.description)).toEqual([
        `Updated server "${s.name}" (tags): tags +prod +web`,
        `Updated server "${s.name}" (tags): tags +db -web`,
      ]);
    });

    it('uses the GIN index for the tag filter', async () => {
      await t.db.query('SET enable_seqscan = off');
      try {
        const plan = await t.db.query(`EXPLAIN SELECT id FROM servers WHERE tags @> ARRAY['prod']::text[]`);
        expect(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')).toContain('servers_tags_idx');
      } finally {
        await t.db.query('SET enable_seqscan = on');
      }
    });
  });
});
