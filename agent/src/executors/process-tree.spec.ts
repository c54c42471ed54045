import { spawn } from 'node:child_process';
import { isRunning, terminateTree, treeMembers } from './process-tree';

/** Spawns `sh -c script` as its own session leader and returns it once it printed `lines` pids. */
async function tree(script: string, lines: number, shell = '/bin/sh'): Promise<{ leader: number; pids: number[] }> {
  const child = spawn(shell, ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').filter(Boolean).length >= lines) resolve();
    });
  });
  child.stdout.destroy();
  leaders.push(child.pid!);
  return { leader: child.pid!, pids: out.split('\n').filter(Boolean).map(Number) };
}
const leaders: number[] = [];

describe('process tree', () => {
  afterEach(async () => {
    // a failed expectation must not leave sleeps behind
    for (const leader of leaders.splice(0)) await terminateTree({ leader, session: true }, { signal: 'SIGKILL', graceMs: 0 });
  });

  it('treeMembers finds the group; terminateTree with SIGTERM ends it and its background children', async () => {
    const t = await tree('sleep 100 & echo $!; sleep 100 & echo $!; echo $$; wait', 3);
    expect((await treeMembers({ leader: t.leader, session: false })).sort()).toEqual(expect.arrayContaining(t.pids));
    await terminateTree({ leader: t.leader, session: false }, { signal: 'SIGTERM', graceMs: 2000 });
    for (const pid of t.pids) expect(isRunning(pid)).toBe(false);
    expect(await treeMembers({ leader: t.leader, session: false })).toEqual([]);
  });

  it('SIGKILLs what ignores the first signal once the grace period is over', async () => {
    const t = await tree(`trap '' TERM; echo $$; while :; do sleep 0.05; done`, 1);
    const started = Date.now();
    await terminateTree({ leader: t.leader, session: false }, { signal: 'SIGTERM', graceMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(isRunning(t.pids[0])).toBe(false);
  });

  it('session scope also ends process groups the shell created (job control)', async () => {
    // `set -m`: the background job gets its own process group, as in an interactive shell.
    const t = await tree('set -m; sleep 100 & echo $!; echo $$; wait', 2, '/bin/bash');
    const [job] = t.pids;
    const group = await treeMembers({ leader: t.leader, session: false });
    expect(group).not.toContain(job);
    await terminateTree({ leader: t.leader, session: true }, { signal: 'SIGHUP', graceMs: 2000 });
    expect(isRunning(job)).toBe(false);
    expect(isRunning(t.leader)).toBe(false);
  });
});
