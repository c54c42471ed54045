import { readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OwnerRecord, ownerFile, readLockFile } from './postmaster';

/**
 * What a start finds in the cluster directory, from postmaster.pid, the owner record and /proc:
 * - `none`: no postmaster (a stale lock of a dead one was removed);
 * - `owned`: a postmaster whose parent, the backend that started it, is alive: never touched;
 * - `orphan`: a postmaster on this cluster whose parent is gone (the backend was killed): stopped
 *   by the next start;
 * - `unknown`: a live postmaster whose parent cannot be read (no /proc): left alone.
 */
export type PostmasterState =
  | { kind: 'none' }
  | { kind: 'owned'; pid: number; ownerPid: number }
  | { kind: 'orphan'; pid: number; ownerPid: number | null }
  | { kind: 'unknown'; pid: number };

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z'; // a zombie has exited; only its parent has not reaped it yet
}

/** State and parent pid from /proc/<pid>/stat (the command name may contain spaces and parentheses). */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is a postmaster serving `pgDir`: PostgreSQL changes into its data directory, so its
 * working directory says which cluster it serves. Without /proc there is no way to tell: assume so.
 */
function servesCluster(pid: number, pgDir: string): boolean {
  let cwd: string;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return true;
  }
  try {
    return cwd === realpathSync(pgDir);
  } catch {
    return false;
  }
}

function readOwner(pgDir: string): OwnerRecord | null {
  try {
    const owner = JSON.parse(readFileSync(ownerFile(pgDir), 'utf8')) as Partial<OwnerRecord>;
    return Number.isInteger(owner.backendPid) && Number.isInteger(owner.postmasterPid) ? (owner as OwnerRecord) : null;
  } catch {
    return null;
  }
}

export function inspectPostmaster(pgDir: string, log: (msg: string) => void): PostmasterState {
  const lock = readLockFile(pgDir);
  if (!lock) return { kind: 'none' };
  const { pid } = lock;
  if (!pidAlive(pid) || !servesCluster(pid, pgDir)) {
    log(`Removing stale PostgreSQL lock ${join(pgDir, 'postmaster.pid')} (pid ${pid} is not running)`);
    rmSync(join(pgDir, 'postmaster.pid'), { force: true });
    return { kind: 'none' };
  }
  const parent = procStat(pid)?.ppid;
  if (parent === undefined) return { kind: 'unknown', pid };
  const owner = readOwner(pgDir);
  // A process's parent changes only when the parent dies (the orphan goes to init or a subreaper),
  // so "its parent is still the backend that started it" means that backend is alive.
  if (owner?.postmasterPid === pid) {
    return parent === owner.backendPid ? { kind: 'owned', pid, ownerPid: parent } : { kind: 'orphan', pid, ownerPid: owner.backendPid };
  }
  // No record (a cluster started by an older version): only a child of init is surely an orphan.
  return parent === 1 ? { kind: 'orphan', pid, ownerPid: null } : { kind: 'owned', pid, ownerPid: parent };
}

/** Waits until `pid` has exited; false on timeout. */
async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Stops an orphaned postmaster: fast shutdown (SIGINT; SIGCONT in case it was stopped), then
 * immediate shutdown (SIGQUIT), then SIGKILL. Returns false if it would not go away.
 */
export async function stopOrphan(pid: number, pgDir: string): Promise<boolean> {
  for (const [signal, waitMs] of [['SIGINT', 30_000], ['SIGQUIT', 10_000], ['SIGKILL', 10_000]] as const) {
    try {
      process.kill(pid, signal);
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
    if (await exitedWithin(pid, waitMs)) {
      // A postmaster that exited cleanly removed its lock; one that was killed left it behind.
      const lock = readLockFile(pgDir);
      if (lock?.pid === pid) rmSync(join(pgDir, 'postmaster.pid'), { force: true });
      rmSync(ownerFile(pgDir), { force: true });
      return true;
    }
  }
  return false;
}
