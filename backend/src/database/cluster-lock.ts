import type { DataSource } from 'typeorm';

/** Lock names of scheduled work (one lock per kind of work, shared by every instance). */
export type ClusterJob = 'metrics-rollup' | 'connection-events-retention' | 'server-status-reconcile' | 'dead-instance-sweep';

export type Exclusive<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `fn` on one backend instance at a time across every instance sharing the database: a
 * session-level PostgreSQL advisory lock, held on a connection of its own for as long as `fn`
 * runs. When another instance holds it, `fn` does not run (`{ran: false}`): that instance is doing
 * this round's work. A crashed holder's connection closes, which releases the lock at once.
 */
export async function runExclusive<T>(db: DataSource, job: ClusterJob, fn: () => Promise<T>): Promise<Exclusive<T>> {
  const key = `chatops.job.${job}`;
  const runner = db.createQueryRunner();
  await runner.connect();
  let broken: Error | undefined;
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as { locked: boolean }[];
    if (!locked) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      // A connection that could not unlock must not go back to the pool still holding the lock.
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch((err: Error) => (broken = err));
    }
  } finally {
    // TypeORM's PostgreSQL runner: passing the error destroys the connection instead of pooling it.
    const pg = runner as unknown as { releasePostgresConnection?(err?: Error): Promise<void> };
    if (broken && pg.releasePostgresConnection) await pg.releasePostgresConnection(broken);
    else await runner.release();
  }
}

/**
 * Runs the pending migrations while holding an advisory lock (waiting for it): instances started
 * together on one database (a rolling deploy, `docker compose up` of two replicas) apply each
 * migration once, in turn, instead of racing to create the same tables.
 */
export async function runMigrationsExclusively(db: DataSource): Promise<void> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(hashtext('chatops.migrations'))");
    try {
      await db.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query("SELECT pg_advisory_unlock(hashtext('chatops.migrations'))").catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
