/**
 * The tick parsers were rewritten to scan the text instead of split()/regex per line (fewer
 * allocations on every tick). The previous implementations are kept here as the reference: both
 * must agree on the recorded fixtures, on this host's live /proc and on edge cases.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseProcStat, type CpuTimes, type ProcStat } from './cpu';
import { isWholeDisk, parseDiskstats, type DiskIoCounters } from './disk-io';
import { parseMeminfo, type MemoryUsage } from './memory';
import { parseNetDev, type IfaceCounters } from './network';
import { clampPercent } from './rates';
import { itProcfs } from '../../test/procfs';

const FIXTURES = resolve(__dirname, '../../test/fixtures');

function refProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const perCore: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      if (total) break;
      continue;
    }
    const parts = line.trim().split(/\s+/);
    const f = parts.slice(1, 9).map((x) => Number(x) || 0);
    const times: CpuTimes = { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], idle: f[3] + f[4] };
    if (parts[0] === 'cpu') total = times;
    else perCore.push(times);
  }
  if (!total) throw new Error('no cpu line in /proc/stat');
  return { total, perCore };
}

function refMeminfo(text: string): MemoryUsage {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal') ?? 0;
  const available = Math.min(total, kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0));
  const used = Math.max(0, total - available);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  const swapUsed = Math.max(0, swapTotal - (kb.get('SwapFree') ?? swapTotal));
  return {
    totalBytes: total, usedBytes: used, availableBytes: available,
    percent: total > 0 ? clampPercent((used / total) * 100) : 0, swapTotalBytes: swapTotal, swapUsedBytes: swapUsed,
  };
}

function refNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (!iface || iface === 'lo' || iface.includes('|')) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    out.push({ iface, rxBytes: Number(f[0]) || 0, txBytes: Number(f[8]) || 0 });
  }
  return out;
}

function refDiskstats(text: string): DiskIoCounters {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !isWholeDisk(f[2])) continue;
    readBytes += (Number(f[5]) || 0) * 512;
    writeBytes += (Number(f[9]) || 0) * 512;
  }
  return { readBytes, writeBytes };
}

const fixture = (...p: string[]) => readFileSync(join(FIXTURES, ...p), 'latin1');

describe('tick parsers agree with the previous split/regex implementations', () => {
  it('recorded fixtures', () => {
    for (const tick of ['proc-tick1', 'proc-tick2']) {
      expect(parseProcStat(fixture(tick, 'stat'))).toEqual(refProcStat(fixture(tick, 'stat')));
      expect(parseMeminfo(fixture(tick, 'meminfo'))).toEqual(refMeminfo(fixture(tick, 'meminfo')));
      expect(parseNetDev(fixture(tick, 'net', 'dev'))).toEqual(refNetDev(fixture(tick, 'net', 'dev')));
      expect(parseDiskstats(fixture(tick, 'diskstats'))).toEqual(refDiskstats(fixture(tick, 'diskstats')));
    }
    expect(parseNetDev(fixture('proc-tick1', '1', 'net', 'dev'))).toEqual(refNetDev(fixture('proc-tick1', '1', 'net', 'dev')));
  });

  itProcfs('this host, live', () => {
    const read = (p: string) => readFileSync(p, 'latin1');
    const stat = read('/proc/stat');
    expect(parseProcStat(stat)).toEqual(refProcStat(stat));
    const mem = read('/proc/meminfo');
    expect(parseMeminfo(mem)).toEqual(refMeminfo(mem));
    const net = read('/proc/self/net/dev');
    expect(parseNetDev(net)).toEqual(refNetDev(net));
    const disks = read('/proc/diskstats');
    expect(parseDiskstats(disks)).toEqual(refDiskstats(disks));
  });

  it('edge cases: no trailing newline, CRLF-free odd spacing, tabs, non-numeric fields, missing keys', () => {
    const stats = [
      'cpu  10 0 5 100 2 0 1 0 0 0\ncpu0 10 0 5 100 2 0 1 0 0 0\nintr 1 2 3',
      'cpu\t1\t2\t3\t4\t5\t6\t7\t8\ncpu0   x 2 3 4 5 6 7 8\nctxt 5\ncpu1 9 9 9 9 9 9 9 9',
      'btime 1\ncpu 1 1 1 1 1 1 1 1',
      '\ncpu 1 2 3 4 5 6 7 8 9 10',
    ];
    for (const t of stats) expect(parseProcStat(t)).toEqual(refProcStat(t));
    expect(() => parseProcStat('intr 1\nctxt 2')).toThrow('no cpu line');

    const mems = [
      'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n',
      'MemTotal:\t2000 kB\nMemAvailable:    500 kB\nSwapCached: 7 kB\nSwapTotal: 100 kB',
      '\nMemTotal: 10 kB\nMemAvailable: 20 kB',
      'MemTotal: kB\nMemAvailable:5 kB\nSwapTotal: 9 kB\nSwapFree: x',
      'XMemTotal: 5 kB\nMemTotal: 7 kB',
      '',
    ];
    for (const t of mems) expect(parseMeminfo(t)).toEqual(refMeminfo(t));

    const nets = [
      'Inter-|   Receive\n face |bytes\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n    lo: 5 5 5 5 5 5 5 5 5 5',
      'eth1:100 0 0 0 0 0 0 0 200 0 0 0 0 0 0 0',
      'short: 1 2 3\n: 1 2 3 4 5 6 7 8 9\nwlan0: x 1 1 1 1 1 1 1 y',
    ];
    for (const t of nets) expect(parseNetDev(t)).toEqual(refNetDev(t));

    const disks = [
      '   8       0 sda 500 10 40000 100 300 20 8000 90 0 200\n   8       1 sda1 1 1 1 1 1 1 1 1 1 1\n 253 0 dm-0 1 1 1 1 1 1 1 1 1 1',
      '259 0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11\n259 1 nvme0n1p1 1 2 3 4 5 6 7 8 9 10\n8 16 sdb 1 2 x 4 5 6 y',
      '',
    ];
    for (const t of disks) expect(parseDiskstats(t)).toEqual(refDiskstats(t));
  });
});
