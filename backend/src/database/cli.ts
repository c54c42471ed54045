/**
 * `npm run db:migrate` / `npm run db:revert`: runs or reverts migrations against DATABASE_URL, or
 * against the embedded PostgreSQL in the data dir when DATABASE_URL is unset.
 */
import { loadConfig } from '../config/config';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'migrate' && command !== 'revert') {
    console.error('usage: db-cli migrate|revert');
    process.exit(2);
  }
  const config = loadConfig();
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, (m) => console.log(m));
  const ds = createDataSource(config.databaseUrl ?? embedded!.url);
  try {
    await ds.initialize();
    if (command === 'migrate') {
      const ran = await ds.runMigrations({ transaction: 'each' });
      console.log(ran.length ? `Applied ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}` : 'No pending migrations');
    } else {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    }
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
