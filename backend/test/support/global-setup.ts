import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { startThrowawayPostgres } from '../../src/database/embedded-postgres';

const PREFIX = 'chatops-test-pg-';

/** Stops clusters left behind by killed runs (their owner pid is dead). */
function reapStale(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      try {
        process.kill(owner, 0);
        continue; // still running
      } catch { /* dead owner */ }
      try {
        const pm = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pm > 0) process.kill(pm, 'SIGQUIT');
      } catch { /* no postmaster */ }
      rmSync(dir, { recursive: true, force: true });
    } catch { /* not ours or already gone */ }
  }
}

/**
 * One PostgreSQL for the whole run: the embedded one (default) or TEST_DATABASE_URL's server.
 * A template database is migrated once; each test file clones it (see test/support/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  const template = `chatops_tmpl_${process.pid}`;
  let adminUrl: (db: string) => string;
  if (process.env.TEST_DATABASE_URL) {
    const base = new URL(process.env.TEST_DATABASE_URL);
    adminUrl = (db) => Object.assign(new URL(base.href), { pathname: `/${db}` }).href;
  } else {
    reapStale();
    const dir = mkdtempSync(join(tmpdir(), PREFIX));
    require('node:fs').writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    const pg = await startThrowawayPostgres(dir);
    adminUrl = pg.adminUrl;
    (globalThis as any).__CHATOPS_PG__ = { stop: pg.stop, dir };
  }
  const admin = new Client({ connectionString: adminUrl('postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const ds = createDataSource(adminUrl(template));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env.CHATOPS_TEST_TEMPLATE = template;
  process.env.CHATOPS_TEST_ADMIN_URL = adminUrl('postgres');
  (globalThis as any).__CHATOPS_TEMPLATE__ = { template, adminUrl: adminUrl('postgres') };
}
