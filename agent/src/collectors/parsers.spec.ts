import { isWholeDisk } from './disk-io';
import { parseMounts, realMounts } from './disks';
import { parseMeminfo } from './memory';
import { parsePidStat } from './processes';
import { containerCpuPercent, containerMemBytes } from './containers';

describe('/proc parsers', () => {
  it('whole-disk detection skips partitions and virtual devices', () => {
    expect(['sda', 'vda', 'xvdb', 'nvme0n1', 'mmcblk0', 'hdc'].filter(isWholeDisk)).toEqual(['sda', 'vda', 'xvdb', 'nvme0n1', 'mmcblk0', 'hdc']);
    expect(['sda1', 'vda15', 'nvme0n1p2', 'mmcblk0p1', 'loop0', 'ram3', 'zram0', 'dm-1', 'md0', 'sr0'].filter(isWholeDisk)).toEqual([]);
  });

  it('mount table: octal escapes decoded, pseudo filesystems and duplicate devices dropped', () => {
    const m = realMounts(parseMounts([
      '/dev/sda2 / ext4 rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sda2 /var/lib/docker ext4 rw 0 0',
      'server:/export /mnt/nfs\\040share nfs4 rw 0 0',
      'lxcfs /proc/cpuinfo fuse.lxcfs rw 0 0',
    ].join('\n')));
    expect(m.map((e) => e.mount)).toEqual(['/', '/mnt/nfs share']);
  });

  it('meminfo without MemAvailable (old kernels) falls back to free + buffers + cached', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    expect(m.availableBytes).toBe(400 * 1024);
    expect(m.usedBytes).toBe(600 * 1024);
    expect(m.percent).toBe(60);
  });

  it('pid stat with spaces and parentheses in the command name', () => {
    expect(parsePidStat('9 (a) b (c)) S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 99 0 0')).toEqual({ pid: 9, name: 'a) b (c)', cpuTicks: 10, startTicks: 99 });
    expect(parsePidStat('garbage')).toBeNull();
  });

  it('container cpu% like docker stats; memory excludes reclaimable cache', () => {
    expect(containerCpuPercent({ total: 2e9, system: 20e9, cpus: 2 }, { total: 1e9, system: 10e9, cpus: 2 })).toBe(20);
    expect(containerCpuPercent({ total: 2e9, system: 20e9, cpus: 2 }, undefined)).toBeUndefined();
    expect(containerMemBytes({ usage: 1000, limit: 5000, stats: { inactive_file: 300 } })).toBe(700);
    expect(containerMemBytes(undefined)).toBeUndefined();
  });

  it('container cpu% over the engine read timestamps when both readings have one (podman: system_cpu_usage without idle)', () => {
    // 0.25 s of CPU over 1 s between the readings = 25 % (100 % = one core), whatever system_cpu_usage says.
    const prev = { total: 1e9, system: 10e9, cpus: 2, at: Date.parse('2026-11-27T10:00:00.000Z') };
    const cur = { total: 1.25e9, system: 10.3e9, cpus: 2, at: Date.parse('2026-11-27T10:00:01.000Z') };
    expect(containerCpuPercent(cur, prev)).toBe(25);
    // Docker's system_cpu_usage includes idle time: both formulas agree (2 CPUs for 1 s = 2e9 ns).
    expect(containerCpuPercent({ ...cur, system: 12e9 }, prev)).toBe(containerCpuPercent({ total: 1.25e9, system: 12e9, cpus: 2 }, { total: 1e9, system: 10e9, cpus: 2 }));
    // No time elapsed, or a counter that went backwards (container restarted): no figure.
    expect(containerCpuPercent({ ...cur, at: prev.at }, prev)).toBeUndefined();
    expect(containerCpuPercent({ ...cur, total: 0.5e9 }, prev)).toBeUndefined();
    // Only one reading with a timestamp: Docker's formula.
    expect(containerCpuPercent({ total: 2e9, system: 20e9, cpus: 2 }, { ...prev, total: 1e9, system: 10e9 })).toBe(20);
  });
});
