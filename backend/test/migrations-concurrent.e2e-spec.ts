import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { MIGRATIONS } from '../src/database/migrations';
import { registerUser, startTestApp, TestApp } from './support/app';
import { createTestDatabase } from './support/db';

/**
 * Two instances starting at the same moment on an empty database (a `docker compose up` of two
 * replicas): the migrations run once, one instance after the other, and both come up.
 */
describe('migrations with several instances starting at once', () => {
  const apps: TestApp[] = [];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close().catch(() => undefined);
    await db?.drop();
  });

  it('applies each migration once and starts both', async () => {
    db = await createTestDatabase();
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'); // empty, as a new installation
      const errors = jest.spyOn(Logger.prototype, 'error');
      apps.push(...(await Promise.all([startTestApp({}, { dbUrl: db.url }), startTestApp({}, { dbUrl: db.url })])));
      // Neither start failed and retried (racing migrations make one fail: "relation … already exists").
      expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => /Unable to connect to the database/.test(m))).toEqual([]);
      errors.mockRestore();
      const applied = (await admin.query('SELECT name FROM migrations ORDER BY id')).rows.map((r) => r.name);
      expect(applied).toEqual(MIGRATIONS.map((M) => new M().name));
      // Both serve.
      const u = await registerUser(apps[0]);
      await apps[1].http().get('/api/v1/auth/me').set(u.auth).expect(200);
    } finally {
      await admin.end();
    }
  });
});
