/**
 * `npm run db:psql [-- psql options]`: psql on ChatOps' database. With DATABASE_URL, that server;
 * otherwise the embedded PostgreSQL of the data dir while ChatOps runs (it picks a free port at each
 * start; postmaster.pid says which). The password goes to psql through PGPASSWORD, never on the
 * command line. Without a psql binary it prints how to connect (never the password itself).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { databaseTarget } from './data-source';
import { clusterDir, EMBEDDED_DB_NAME, EMBEDDED_DB_USER } from './embedded-postgres';
import { readLockFile } from './postmaster';
import { pidAlive } from './postmaster-lock';

const say = (msg: string) => process.stderr.write(`[chatops] ${msg}\n`);

function hasPsql(): boolean {
  return spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `target`: a connection URL without the password. */
function runPsql(target: string, password: string, extra: string[]): never {
  say(`psql on ${databaseTarget(target)}`);
  const res = spawnSync('psql', [target, ...extra], { stdio: 'inherit', env: { ...process.env, PGPASSWORD: password } });
  process.exit(res.status ?? 1);
}

function main(): void {
  const extra = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const target = databaseTarget(databaseUrl);
    const url = new URL(databaseUrl);
    const password = decodeURIComponent(url.password || url.searchParams.get('password') || '');
    url.password = '';
    url.searchParams.delete('password');
    if (hasPsql()) runPsql(url.href, password, extra);
    say(`psql is not installed (apt-get install -y postgresql-client). Connect to ${target} with the password of DATABASE_URL.`);
    return;
  }
  const dataDir = resolve(process.env.CHATOPS_DATA_DIR || '.data');
  const pgDir = clusterDir(dataDir, () => undefined);
  const passwordFile = join(dataDir, 'pg-password');
  const lock = readLockFile(pgDir);
  if (!lock || !pidAlive(lock.pid) || lock.status !== 'ready') {
    say(`The embedded PostgreSQL of ${dataDir} is not running: start ChatOps (npm start) first; it listens on a free port of 127.0.0.1 chosen at each start.`);
    say(`Then: user ${EMBEDDED_DB_USER}, database ${EMBEDDED_DB_NAME}, password in ${passwordFile}.`);
    process.exit(1);
  }
  const target = `postgres://${EMBEDDED_DB_USER}@127.0.0.1:${lock.port}/${EMBEDDED_DB_NAME}`;
  if (hasPsql()) runPsql(target, readFileSync(passwordFile, 'utf8').trim(), extra);
  say(`psql is not installed (apt-get install -y postgresql-client). Connect with:`);
  process.stdout.write(`PGPASSWORD="$(cat ${passwordFile})" psql "${target}"\n`);
}

main();
