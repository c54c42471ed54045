import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A PostgreSQL the test owns: the embedded one, in a child process (support/pg-process.js; Jest's
 * VM cannot load the backend's compiled modules' ESM dependencies itself), on a data dir the test
 * chooses. It can be frozen (SIGSTOP on every one of its processes: a paused VM, a stuck disk),
 * stopped for real, and started again on the same port.
 */
export interface PrivatePostgres {
  url: string;
  port: number;
  /** Freezes the postmaster and all its children; nothing answers, connections stay open. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** Direct children of `pid`, from /proc (PostgreSQL's backends each run in a session of their own). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export async function startPrivatePostgres(dir: string, port?: number): Promise<PrivatePostgres> {
  const proc = spawn(process.execPath, [join(__dirname, 'pg-process.js'), dir, ...(port ? [String(port)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/PG_URL (\S+)/.test(out)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`postgres did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = out.match(/PG_URL (\S+)/)![1];
  let frozen: number[] = [];
  return {
    url,
    port: Number(new URL(url).port),
    freeze: () => {
      const postmaster = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      // The postmaster first, so that it forks no new backend meanwhile.
      process.kill(postmaster, 'SIGSTOP');
      frozen = [postmaster, ...childrenOf(postmaster)];
      for (const pid of frozen.slice(1)) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of frozen.reverse()) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
      frozen = [];
    },
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
