/**
 * Ending everything a command or a terminal started. Commands and shells are spawned as the
 * leader of their own session and process group (pid = pgid = sid), so their children can be
 * found and signalled together even after the leader is gone:
 * - a command's `sh -c` has no job control: everything it starts stays in its process group;
 * - an interactive shell puts every job in a process group of its own, all in the shell's
 *   session, so a terminal is ended by session.
 * Only a process that leaves the session on purpose (`setsid`, a daemon's double fork) escapes.
 * Zombies count as gone: in a container whose PID 1 never reaps, they would otherwise hold the wait.
 */
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export interface TreeScope {
  /** The pid of the spawned process: its process group id, and its session id. */
  leader: number;
  /** Also every other process group of the leader's session (interactive shells). */
  session: boolean;
}

/** This process's /proc: the children live in the agent's pid namespace, not necessarily the host's. */
const PROC = '/proc';
const SCAN_BATCH = 64;

interface ProcStat { state: string; pgrp: number; session: number }

function parseStat(text: string): ProcStat | null {
  // "pid (comm) S ppid pgrp session ...": comm may contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ', 4);
  return f.length < 4 ? null : { state: f[0], pgrp: Number(f[2]), session: Number(f[3]) };
}

/** Whether `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const st = parseStat(readFileSync(`${PROC}/${pid}/stat`, 'latin1'));
    return st !== null && st.state !== 'Z' && st.state !== 'X';
  } catch {
    return false;
  }
}

/** The live (non-zombie) processes of the scope, read from /proc without blocking the event loop. */
export async function treeMembers(scope: TreeScope): Promise<number[]> {
  // Cheap path: no process is left in the group at all (zombies included).
  if (!scope.session && !signal(-scope.leader, 0)) return [];
  let entries: string[];
  try {
    entries = await readdir(PROC);
  } catch {
    return [];
  }
  const pids = entries.filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57).map(Number);
  const members: number[] = [];
  for (let i = 0; i < pids.length; i += SCAN_BATCH) {
    await Promise.all(pids.slice(i, i + SCAN_BATCH).map(async (pid) => {
      try {
        const st = parseStat(await readFile(`${PROC}/${pid}/stat`, 'latin1'));
        if (!st || st.state === 'Z' || st.state === 'X') return;
        if (st.pgrp === scope.leader || (scope.session && st.session === scope.leader)) members.push(pid);
      } catch {
        // exited while we looked
      }
    }));
  }
  return members;
}

/** kill(2) that reports whether the target existed instead of throwing. */
function signal(target: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, sig);
    return true;
  } catch {
    return false;
  }
}

/** Sends `sig` to the process group and to every listed member (other groups of the session). */
export function signalTree(scope: TreeScope, sig: NodeJS.Signals, members: readonly number[] = []): void {
  signal(-scope.leader, sig);
  for (const pid of members) signal(pid, sig);
}

export interface TerminateOptions {
  /** First signal: SIGTERM for commands, SIGHUP for terminals. */
  signal: NodeJS.Signals;
  /** How long the tree may take to exit before SIGKILL. */
  graceMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Signals the whole tree, waits for it to exit (polling /proc, 25 ms doubling to 200 ms), and
 * SIGKILLs whatever is left after the grace period. Resolves once nothing of it runs, or ~1 s after
 * the SIGKILL at the latest (a process stuck in uninterruptible sleep cannot be waited for).
 */
export async function terminateTree(scope: TreeScope, o: TerminateOptions): Promise<void> {
  let members = await treeMembers(scope);
  signalTree(scope, o.signal, members);
  const start = Date.now();
  let killedAt = 0;
  let pause = 25;
  for (;;) {
    members = await treeMembers(scope);
    if (members.length === 0) return;
    const now = Date.now();
    if (!killedAt && now - start >= o.graceMs) {
      signalTree(scope, 'SIGKILL', members);
      killedAt = now;
    } else if (killedAt && now - killedAt >= 1000) {
      return;
    }
    await sleep(killedAt ? 25 : Math.min(pause, Math.max(1, o.graceMs - (now - start))));
    pause = Math.min(pause * 2, 200);
  }
}
