#!/usr/bin/env node
// Runs the embedded PostgreSQL (persistent, in argv[2]) until SIGTERM, for tests that stop and
// restart the database. Prints "PG_URL <url>" when ready. Optional argv[3]: the port to reuse.
const { join, resolve } = require('node:path');
const { startEmbeddedPostgres } = require(join(resolve(__dirname, '..', '..'), 'dist/backend/database/embedded-postgres.js'));

(async () => {
  const pg = await startEmbeddedPostgres(process.argv[2], () => undefined, process.argv[3] ? { port: Number(process.argv[3]) } : {});
  process.stdout.write(`PG_URL ${pg.url}\n`);
  const stop = async () => { await pg.stop().catch(() => undefined); process.exit(0); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
})().catch((err) => { console.error(err); process.exit(1); });
