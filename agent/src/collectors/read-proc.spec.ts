import { spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProcfs } from '../../test/procfs';
import { ProcFiles, isProcfs, readProcFile } from './read-proc';


describeProcfs('ProcFiles on a real procfs', () => {
  it('keeps the descriptor open and still reads fresh content every time', async () => {
    const files = new ProcFiles(isProcfs('/proc'));
    expect(files.keepOpen).toBe(true);
    const fdsBefore = readlinkCount();
    const a = files.read('/proc/self/stat');
    expect(files.openCount).toBe(1);
    // Burn CPU so utime/stime (fields 14/15) of this process change.
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const b = files.read('/proc/self/stat');
    expect(files.openCount).toBe(1);
    expect(readlinkCount()).toBe(fdsBefore + 1); // one kept descriptor, not one per read
    const cpuTicks = (t: string) => t.slice(t.lastIndexOf(')') + 2).split(' ').slice(11, 13).reduce((x, y) => x + Number(y), 0);
    expect(cpuTicks(b)).toBeGreaterThan(cpuTicks(a)); // regenerated, not the first read again
    expect(cpuTicks(readProcFile('/proc/self/stat'))).toBeGreaterThanOrEqual(cpuTicks(b));
    files.close();
    expect(files.openCount).toBe(0);
    expect(readlinkCount()).toBe(fdsBefore);
  });

  it('a process that exited is never read through its old descriptor (the read fails, nothing stays open)', async () => {
    const child = spawn('sleep', ['30']);
    await new Promise((r) => child.once('spawn', r));
    const files = new ProcFiles(true);
    const path = `/proc/${child.pid}/stat`;
    expect(files.read(path)).toContain('(sleep)');
    expect(files.openCount).toBe(1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 20)); // reaped by Node
    expect(() => files.read(path)).toThrow();
    expect(files.openCount).toBe(0);
    files.close();
  });

  it('out of descriptors (EMFILE): closes what it kept and reads the slow way from then on', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const files = new ProcFiles(true);
    files.read('/proc/uptime');
    expect(files.openCount).toBe(1);
    const realOpen = fs.openSync;
    const open = jest.spyOn(fs, 'openSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    });
    try {
      expect(files.read('/proc/loadavg')).toMatch(/^\d/); // still answered
      expect(files.keepOpen).toBe(false);
      expect(files.openCount).toBe(0);
      expect(files.read('/proc/uptime')).toMatch(/^\d/);
      expect(files.openCount).toBe(0);
      expect(open).toHaveBeenCalledTimes(3); // the failed one, then one per read
    } finally {
      open.mockRestore();
      expect(fs.openSync).toBe(realOpen);
      files.close();
    }
  });

  it('prune closes the descriptors of paths that are no longer wanted', () => {
    const files = new ProcFiles(true);
    files.read('/proc/self/stat');
    files.read('/proc/uptime');
    files.prune((p) => p === '/proc/uptime');
    expect(files.openCount).toBe(1);
    files.close();
  });
});

describe('ProcFiles on an ordinary filesystem', () => {
  it('is not procfs, so every read opens the path (a replaced file is seen)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-procfiles-'));
    try {
      expect(isProcfs(dir)).toBe(false);
      const files = new ProcFiles(isProcfs(dir));
      const f = join(dir, 'stat');
      writeFileSync(f, 'one\n');
      expect(files.read(f)).toBe('one\n');
      writeFileSync(`${f}.new`, 'two\n');
      renameSync(`${f}.new`, f);
      expect(files.read(f)).toBe('two\n');
      expect(files.openCount).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function readlinkCount(): number {
  // Open descriptors of this process (each entry of /proc/self/fd resolves to what it points at).
  const { readdirSync } = require('node:fs') as typeof import('node:fs');
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      readlinkSync(`/proc/self/fd/${fd}`);
      return true;
    } catch {
      return false;
    }
  }).length;
}
