import { rmSync } from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const t = (globalThis as any).__CHATOPS_TEMPLATE__;
  if (t && process.env.TEST_DATABASE_URL) {
    const admin = new Client({ connectionString: t.adminUrl });
    await admin.connect();
    const dbs = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'chatops_t_%' OR datname = $1`, [t.template]);
    for (const r of dbs.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await admin.end();
  }
  const pg = (globalThis as any).__CHATOPS_PG__;
  if (pg) {
    await pg.stop().catch(() => undefined);
    rmSync(pg.dir, { recursive: true, force: true });
  }
}
