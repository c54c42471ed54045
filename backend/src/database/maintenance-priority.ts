import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** The lowest CPU priority on Linux: the process runs on what the others leave idle. */
export const MAINTENANCE_NICE = 19;

/** The parent process id of `pid`, from /proc (null where there is no /proc or no such process). */
export function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "<pid> (<comm>) <state> <ppid> …": the command name may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * The embedded PostgreSQL shares the machine's cores with this process. Its maintenance
 * connections (the rollup aggregating every server's last minute, retention deletes) are lowered
 * to the lowest CPU priority, so that they run on idle CPU instead of delaying the ingest's
 * inserts, and with them the agents' acks: with 10,000 agents on two cores, each minute's rollup
 * took a PostgreSQL process to a full core for a second or two and the acks of that window waited
 * (docs/performance.md). Only server processes of a PostgreSQL this process started are touched
 * (their parent, the postmaster, is a child of this process); any other server is left alone.
 *
 * Each pooled connection is looked at once, when it is first handed out.
 */
export function lowerMaintenancePriority(ds: DataSource, log: (msg: string) => void): void {
  const pool = (ds.driver as unknown as { master?: Pool }).master;
  if (!pool || process.platform !== 'linux') return;
  const seen = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    // Queued on this connection ahead of the caller's own statement.
    client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').then(({ rows }) => {
      const pid = rows[0]?.pid;
      if (!pid || parentPid(parentPid(pid) ?? -1) !== process.pid) return;
      setPriority(pid, MAINTENANCE_NICE);
    }, () => undefined).catch((err: Error) => log(`Could not lower the CPU priority of a maintenance connection: ${err.message}`));
  });
}
