import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAX_COMMAND_CHARS, ProcessCollector, parseCmdline, parsePidStat, parsePidStatBytes, parseStatusBytes, parseStatusUidRss, type StatFields } from './processes';
import { describeProcfs } from '../../test/procfs';

const FIXTURES = resolve(__dirname, '../../test/fixtures');

const bytesOf = (text: string) => {
  const buf = Buffer.alloc(text.length + 64, 0x41); // stale bytes after the content must be ignored
  buf.write(text, 0, 'latin1');
  return buf;
};
const viaBytes = (text: string) => {
  const out: StatFields = { nameStart: 0, nameEnd: 0, cpuTicks: 0, startTicks: 0 };
  const buf = bytesOf(text);
  if (!parsePidStatBytes(buf, text.length, out)) return null;
  return { name: buf.toString('latin1', out.nameStart, out.nameEnd), cpuTicks: out.cpuTicks, startTicks: out.startTicks };
};
const viaText = (text: string) => {
  const e = parsePidStat(text);
  return e && { name: e.name, cpuTicks: e.cpuTicks, startTicks: e.startTicks };
};

describe('stat and status parsed from bytes = the text parsers', () => {
  it('fixture and edge-case stat lines', () => {
    const lines = ['proc-tick1', 'proc-tick2'].flatMap((t) => ['1', '4242', '777'].map((p) => readFileSync(join(FIXTURES, t, p, 'stat'), 'latin1')));
    lines.push(
      '9 (a) b (c)) S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 99 0 0',
      '10 (x) S 1 1 1 0 -1 0 0 0 0 0 12 3', // truncated before starttime
      '11 () R 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0\n',
      '12 (\u00e9t\u00e9) R 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0',
      'garbage',
      '13 (no close S 1',
      '14 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 3 0 0 20 0 1 0 5',
    );
    for (const line of lines) expect([line, viaBytes(line)]).toEqual([line, viaText(line)]);
  });

  describeProcfs('on this host', () => {
    it('every /proc/<pid>/stat and status', () => {
      let compared = 0;
      for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        let stat: string;
        let status: string;
        try {
          stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
          status = readFileSync(`/proc/${pid}/status`, 'latin1');
        } catch {
          continue; // exited
        }
        expect(viaBytes(stat)).toEqual(viaText(stat));
        expect(parseStatusBytes(bytesOf(status), status.length)).toEqual(parseStatusUidRss(status));
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  });

  it('status edge cases: kernel threads without VmRSS, missing kB, stale bytes beyond the content', () => {
    const texts = [
      'Name:\tkworker/0:1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n',
      'Name:\tx\nUid:\t1000\t1000\t1000\t1000\nVmRSS:\t  200000 kB\n',
      'Name:\tx\nUid:\t1000\nVmRSS:\t  12\n',
      'Name:\tx\nVmRSS: 5 kB',
      'Name:\tx\nUid:\nVmRSS:kB',
    ];
    for (const t of texts) expect(parseStatusBytes(bytesOf(t), t.length)).toEqual(parseStatusUidRss(t));
    // A previous, longer read left a VmRSS line in the buffer: not part of this content.
    const buf = bytesOf('Name:\tx\nUid:\t5\nVmRSS:\t 77 kB\n');
    const short = 'Name:\ty\nUid:\t6\n';
    buf.write(short, 0, 'latin1');
    expect(parseStatusBytes(buf, short.length)).toEqual({ uid: 6, rssBytes: 0 });
  });
});

describe('ProcessCollector on a fake /proc (not procfs: every read opens the file)', () => {
  let dir: string;
  const writeProc = (pid: number, name: string, cpu: number, start: number, uid = 0, rssKb = 100) => {
    mkdirSync(join(dir, String(pid)), { recursive: true });
    writeFileSync(join(dir, String(pid), 'stat'), `${pid} (${name}) S 1 1 1 0 -1 0 0 0 0 0 ${cpu} 0 0 0 20 0 1 0 ${start} 0 0\n`);
    writeFileSync(join(dir, String(pid), 'status'), `Name:\t${name}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nVmRSS:\t${rssKb} kB\n`);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-procs-'));
    writeFileSync(join(dir, 'uptime'), '1000.00 0\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('top N by CPU% then lifetime ticks; ties keep the directory order (like a stable sort); deltas between scans', () => {
    // lifetime averages on the first scan: cpu ticks / (uptime - start/100) s
    writeProc(10, 'a', 100, 50_000, 0); // 1 s over 500 s = 0.2 %
    writeProc(11, 'b', 200, 80_000, 0); // 2 s over 200 s = 1 %
    writeProc(12, 'c', 100, 50_000, 0); // same as a
    writeProc(13, 'd', 0, 99_000, 0); // 0 %
    writeProc(14, 'e', 50, 75_000, 0); // 0.5 s over 250 s = 0.2 %, fewer ticks than a and c
    const c = new ProcessCollector(dir, '/nonexistent', 3, false);
    expect(c.keepOpen).toBe(false);
    const order = (readdirSync(dir).filter((n) => /^\d+$/.test(n)).map(Number));
    const first = c.collect(0, 1000);
    const [x, y] = order.filter((p) => p === 10 || p === 12);
    expect(first.map((p) => [p.pid, p.cpuPercent])).toEqual([[11, 1], [x, 0.2], [y, 0.2]]);
    expect(first[0]).toEqual({ pid: 11, name: 'b', user: '0', cpuPercent: 1, memBytes: 100 * 1024 });
    // Second scan 10 s later: 13 burnt 5 s, 14 was replaced by a new process with the same pid.
    writeProc(13, 'd', 500, 99_000);
    writeProc(14, 'e2', 10, 99_500); // 0.1 s over its 15 s of life
    const second = c.collect(10, 1010);
    // 10, 11, 12 used nothing in between: 0 %, then by lifetime ticks (11 has the most)
    expect(second.map((p) => [p.pid, p.name, p.cpuPercent])).toEqual([[13, 'd', 50], [14, 'e2', 0.67], [11, 'b', 0]]);
    expect(c.openCount).toBe(0);
  });

  it('sends the command line of a top process (read once per process), none for kernel threads', () => {
    writeProc(30, 'node', 100, 1000);
    writeFileSync(join(dir, '30', 'cmdline'), 'node\0server.js\0--port=8080\0');
    writeProc(31, 'kworker/0:1', 50, 1000); // no cmdline file content: a kernel thread
    writeFileSync(join(dir, '31', 'cmdline'), '');
    const c = new ProcessCollector(dir, '/nonexistent', 20, false);
    const first = c.collect(0, 1000);
    expect(first.map((p) => p.command)).toEqual(['node server.js --port=8080', undefined]);
    writeFileSync(join(dir, '30', 'cmdline'), 'changed');
    expect(c.collect(6, 1006)[0].command).toBe('node server.js --port=8080'); // not read again
    writeProc(30, 'node', 1, 90_000); // same pid, new start time: another process
    expect(c.collect(12, 1012).find((p) => p.pid === 30)?.command).toBe('changed');
  });

  it('cuts a long command line at MAX_COMMAND_CHARS code points and replaces control characters', () => {
    const long = Buffer.from(`a\tb\0${'é'.repeat(MAX_COMMAND_CHARS)}\0\0`, 'utf8');
    const line = parseCmdline(long, long.length);
    expect(Array.from(line)).toHaveLength(MAX_COMMAND_CHARS);
    expect(line.startsWith('a b é')).toBe(true);
  });

  it('a process that disappears is forgotten; one whose status vanished is left out of the list', () => {
    writeProc(20, 'p', 100, 1000);
    writeProc(21, 'q', 50, 1000);
    const c = new ProcessCollector(dir, '/nonexistent', 20, false);
    expect(c.collect(0, 1000).map((p) => p.pid)).toEqual([20, 21]);
    rmSync(join(dir, '20'), { recursive: true });
    rmSync(join(dir, '21', 'status'));
    writeProc(22, 'r', 1, 1000);
    expect(c.collect(6, 1006).map((p) => p.pid)).toEqual([22]);
  });
});

describeProcfs('ProcessCollector on a real procfs', () => {
  const fdCount = () => readdirSync('/proc/self/fd').length;

  it('keeps stat descriptors open between scans and status ones for the top list only; closes them when asked', () => {
    const before = fdCount();
    const c = new ProcessCollector('/proc', '/', 5, true);
    const first = c.collect(0, 1000);
    expect(first.length).toBeGreaterThan(0);
    const pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
    expect(c.openCount).toBeGreaterThanOrEqual(Math.min(pids - 5, 1024));
    expect(c.openCount).toBeLessThanOrEqual(pids + 10);
    const kept = fdCount();
    c.collect(6, 1006);
    expect(Math.abs(fdCount() - kept)).toBeLessThan(10); // re-read, not reopened (processes may come and go)
    c.close();
    expect(c.openCount).toBe(0);
    expect(fdCount()).toBeLessThanOrEqual(before + 1);
  });

  it('at most maxKeptStatFds stat descriptors; the rest are read by opening them', () => {
    const c = new ProcessCollector('/proc', '/', 3, true, 4);
    expect(c.collect(0, 1000).length).toBeGreaterThan(0);
    expect(c.openCount).toBeLessThanOrEqual(4 + 3);
    c.close();
  });

  it('a process that exits is never read through its old descriptor and its descriptors are closed', async () => {
    const child = spawn('sleep', ['30']);
    await new Promise((r) => child.once('spawn', r));
    const c = new ProcessCollector('/proc', '/', 100_000, true);
    const seen = c.collect(0, 1000);
    expect(seen.find((p) => p.pid === child.pid)?.name).toBe('sleep');
    const open = c.openCount;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 20));
    const after = c.collect(6, 1006);
    expect(after.find((p) => p.pid === child.pid)).toBeUndefined();
    // The child is forgotten, with its descriptors. Other processes on the machine come and go
    // meanwhile (a test run beside this one starts browsers and databases); each one more than
    // before may hold a stat and a status descriptor.
    expect((c as unknown as { procs: Map<number, unknown> }).procs.has(child.pid!)).toBe(false);
    const more = Math.max(0, after.length - (seen.length - 1));
    expect(c.openCount).toBeLessThan(open + 5 + 2 * more);
    c.close();
  });

  it('out of descriptors (EMFILE): closes what it kept, still answers, reads the slow way from then on', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const c = new ProcessCollector('/proc', '/', 5, true);
    c.collect(0, 1000);
    expect(c.openCount).toBeGreaterThan(0);
    const realOpen = fs.openSync;
    // Fail the next open of a pid file this process has not kept yet: a new process appears.
    const child = spawn('sleep', ['30']);
    const open = jest.spyOn(fs, 'openSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    });
    return new Promise<void>((r) => child.once('spawn', () => r())).then(() => {
      try {
        const out = c.collect(6, 1006);
        expect(out.length).toBeGreaterThan(0);
        expect(c.keepOpen).toBe(false);
        expect(c.openCount).toBe(0);
        c.collect(12, 1012);
        expect(c.openCount).toBe(0);
      } finally {
        open.mockRestore();
        expect(fs.openSync).toBe(realOpen);
        child.kill('SIGKILL');
        c.close();
      }
    });
  });
});
