import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { findFreePort } from './embedded-postgres';
import { isDatabaseUnavailable } from './db-unavailable';

/**
 * The classification behind "503, retry later" versus "400/409/500", checked against errors that
 * node-postgres and TypeORM really produce (the test cluster of this run; a port nothing listens on).
 */
describe('isDatabaseUnavailable', () => {
  const url = process.env.CHATOPS_TEST_ADMIN_URL!;
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err);

  it('recognises a refused connection, directly and through TypeORM', async () => {
    const dead = Object.assign(new URL(url), { port: String(await findFreePort()) }).href;
    expect(isDatabaseUnavailable(await failure(new Client({ connectionString: dead }).connect()))).toBe(true);
    const ds = new DataSource({ type: 'postgres', url: dead, extra: { connectionTimeoutMillis: 2000 } });
    expect(isDatabaseUnavailable(await failure(ds.initialize()))).toBe(true);
  });

  it('recognises a statement timeout, a query read timeout, an administrator ending the session and a database refusing connections', async () => {
    const ds = new DataSource({ type: 'postgres', url, extra: { statement_timeout: 50 } });
    await ds.initialize();
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      // 57014 through TypeORM's QueryFailedError
      expect(isDatabaseUnavailable(await failure(ds.query('SELECT pg_sleep(2)')))).toBe(true);
      // The client giving up on a server that does not answer (query_timeout)
      const impatient = new Client({ connectionString: url, query_timeout: 50 });
      await impatient.connect();
      expect(isDatabaseUnavailable(await failure(impatient.query('SELECT pg_sleep(0.5)')))).toBe(true);
      await impatient.end();
      // 57P01, FATAL
      const victim = new Client({ connectionString: url });
      victim.on('error', () => undefined);
      await victim.connect();
      const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const pending = failure(victim.query('SELECT pg_sleep(5)'));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(isDatabaseUnavailable(await pending)).toBe(true);
      // A database that does not accept connections: FATAL at connect.
      const name = `chatops_unavail_${process.pid}`;
      await admin.query(`CREATE DATABASE ${name} ALLOW_CONNECTIONS false`);
      try {
        const closed = Object.assign(new URL(url), { pathname: `/${name}` }).href;
        expect(isDatabaseUnavailable(await failure(new Client({ connectionString: closed }).connect()))).toBe(true);
      } finally {
        await admin.query(`DROP DATABASE ${name}`);
      }
    } finally {
      await admin.end();
      await ds.destroy();
    }
  });

  it('does not mistake the request\'s own faults or bugs for an outage', async () => {
    const ds = new DataSource({ type: 'postgres', url });
    await ds.initialize();
    try {
      for (const sql of ['SELEC 1', 'SELECT $1::uuid', 'SELECT 1/0', 'SELECT * FROM no_such_table']) {
        const err = await failure(ds.query(sql, sql.includes('$1') ? ['not-a-uuid'] : []));
        expect({ sql, unavailable: isDatabaseUnavailable(err) }).toEqual({ sql, unavailable: false });
      }
    } finally {
      await ds.destroy();
    }
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
