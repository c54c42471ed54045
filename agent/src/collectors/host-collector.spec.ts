import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { metricsSampleSchema } from '@chatops/protocol';
import { HostCollector, MOUNT_TABLE_REFRESH_MS, type HostSample } from './host-collector';
import type { StatfsFn } from './disks';

const FIXTURES = resolve(__dirname, '../../test/fixtures');

/** Fake statfs for the mounts in the fixture (the real paths do not exist on the test machine). */
const statfs: StatfsFn = async (path) => {
  const table: Record<string, { bsize: number; blocks: number; bfree: number; bavail: number }> = {
    // 100 GiB ext4, 40 GiB used, 5 GiB reserved for root → df shows 40 / (40 + 55) = 42.11 %
    '/': { bsize: 4096, blocks: 26214400, bfree: 15728640, bavail: 14417920 },
    '/mnt/data disk': { bsize: 4096, blocks: 1000, bfree: 250, bavail: 250 },
  };
  const hit = table[path];
  if (!hit) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return hit;
};

describe('HostCollector on recorded /proc fixtures', () => {
  let dir: string;
  let link: string;
  let clock: number;
  let collector: HostCollector;

  const use = (tick: 'proc-tick1' | 'proc-tick2') => {
    try { unlinkSync(link); } catch { /* first use */ }
    symlinkSync(join(FIXTURES, tick), link);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-proc-'));
    link = join(dir, 'proc');
    clock = 1000;
    collector = new HostCollector({
      procRoot: link,
      hostRoot: '/',
      statfs,
      monotonicMs: () => clock,
      wallClock: () => new Date('2026-11-27T06:30:00.000Z'),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const full = (s: HostSample, seq: number) => ({ seq, bootId: '7c2d4b4e-4f0e-4c1b-9d61-2f1f0c6f1a11', ...s });

  it('first tick: absolute values, no invented rates, schema-valid', async () => {
    use('proc-tick1');
    const s = await collector.collect();
    expect(metricsSampleSchema.parse(full(s, 0))).toBeTruthy();
    expect(s.timestamp).toBe('2026-11-27T06:30:00.000Z');
    expect(s.cpu).toEqual({ percent: 0, perCore: [0, 0], load: [1.05, 0.47, 0.27], cores: 2 });
    expect(s.memory.totalBytes).toBe(24683656 * 1024);
    expect(s.memory.availableBytes).toBe(24039380 * 1024);
    expect(s.memory.usedBytes).toBe((24683656 - 24039380) * 1024);
    expect(s.memory.swapTotalBytes).toBe(0);
    expect(s.network).toEqual([
      { iface: 'ifb0', rxBytes: 0, txBytes: 0, rxBps: 0, txBps: 0 },
      { iface: 'eth0', rxBytes: 605451225, txBytes: 2080512, rxBps: 0, txBps: 0 },
    ]);
    expect(s.diskIo).toEqual({ readBps: 0, writeBps: 0 });
    expect(s.uptimeSec).toBe(595);
    expect(s.containers).toBeUndefined();
  });

  it('disks: real filesystems only, one per device, df-style percent, escaped mount paths decoded', async () => {
    use('proc-tick1');
    const s = await collector.collect();
    expect(s.disks).toEqual([
      { mount: '/', fs: '/dev/vda', type: 'ext4', totalBytes: 26214400 * 4096, usedBytes: 10485760 * 4096, percent: 42.11 },
      { mount: '/mnt/data disk', fs: '/dev/sdb1', type: 'xfs', totalBytes: 4096000, usedBytes: 3072000, percent: 75 },
    ]);
  });

  it('mount table: re-read every MOUNT_TABLE_REFRESH_MS; a filesystem that goes away is dropped on the next tick', async () => {
    const root = join(dir, 'copy');
    cpSync(join(FIXTURES, 'proc-tick1'), root, { recursive: true });
    const mounts = join(root, 'self', 'mounts');
    const sizes: Record<string, { bsize: number; blocks: number; bfree: number; bavail: number }> = {
      '/': { bsize: 4096, blocks: 1000, bfree: 500, bavail: 500 },
      '/mnt/data disk': { bsize: 4096, blocks: 2000, bfree: 500, bavail: 500 },
      '/srv': { bsize: 4096, blocks: 3000, bfree: 500, bavail: 500 },
    };
    const calls: string[] = [];
    const fake: StatfsFn = async (path) => {
      calls.push(path);
      const hit = sizes[path];
      if (!hit) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return hit;
    };
    const c = new HostCollector({ procRoot: root, hostRoot: '/', statfs: fake, monotonicMs: () => clock });
    const mountsOf = async () => (await c.collect()).disks.map((d) => d.mount);

    expect(await mountsOf()).toEqual(['/', '/mnt/data disk']);
    // A new mount: not seen until the table is re-read, but every known filesystem is statfs'ed on every tick.
    appendFileSync(mounts, '/dev/sdc1 /srv ext4 rw,relatime 0 0\n');
    for (let t = 1; t < 6; t++) {
      clock += 5000;
      calls.length = 0;
      expect(await mountsOf()).toEqual(['/', '/mnt/data disk']);
      expect(calls).toEqual(['/', '/mnt/data disk']);
    }
    clock += 5000 - 100; // the 6th tick at 5 s, a little early: 29.9 s after the last read
    expect(MOUNT_TABLE_REFRESH_MS).toBe(30_000);
    expect(await mountsOf()).toEqual(['/', '/mnt/data disk', '/srv']);

    // Unmounted, mount point removed: statfs fails → the table is read again at once.
    writeFileSync(mounts, readFileSync(mounts, 'utf8').replace('/dev/sdb1 /mnt/data\\040disk xfs rw,relatime 0 0\n', ''));
    delete sizes['/mnt/data disk'];
    clock += 5000;
    expect(await mountsOf()).toEqual(['/', '/srv']);

    // Unmounted, mount point left behind: statfs now reports the parent filesystem (another size).
    writeFileSync(mounts, readFileSync(mounts, 'utf8').replace('/dev/sdc1 /srv ext4 rw,relatime 0 0\n', ''));
    sizes['/srv'] = sizes['/'];
    clock += 5000;
    expect(await mountsOf()).toEqual(['/']);
    clock += 5000;
    expect(await mountsOf()).toEqual(['/']);
  });

  it('second tick: exact cpu, network, disk-io rates and memory/swap from deltas', async () => {
    use('proc-tick1');
    await collector.collect();
    use('proc-tick2');
    clock += 5000;
    const s = await collector.collect();
    expect(metricsSampleSchema.parse(full(s, 1))).toBeTruthy();
    // cpu: busy +400 / (busy 400 + idle 600) jiffies; cpu0 250/500, cpu1 150/500
    expect(s.cpu.percent).toBe(40);
    expect(s.cpu.perCore).toEqual([50, 30]);
    expect(s.cpu.load).toEqual([0.97, 0.46, 0.27]);
    // eth0: +5,000,000 rx / +25,000 tx bytes in 5 s; lo is never reported
    expect(s.network.find((n) => n.iface === 'eth0')).toEqual({ iface: 'eth0', rxBytes: 610451225, txBytes: 2105512, rxBps: 1_000_000, txBps: 5000 });
    expect(s.network.map((n) => n.iface)).not.toContain('lo');
    // vda: +10240 read / +2048 written sectors; partitions, loop, zram and dm are not counted again
    expect(s.diskIo).toEqual({ readBps: 1_048_576, writeBps: 209_715.2 });
    expect(s.memory.usedBytes).toBe((24683656 - 20000000) * 1024);
    expect(s.memory.percent).toBe(18.97); // 4,683,656 / 24,683,656 kB
    expect(s.memory.swapTotalBytes).toBe(2097148 * 1024);
    expect(s.memory.swapUsedBytes).toBe((2097148 - 1048576) * 1024);
    expect(s.uptimeSec).toBe(600);
  });

  it('processes: on tick 0 (lifetime average), again on every 6th tick (delta), never in between', async () => {
    use('proc-tick1');
    const first = await collector.collect();
    expect(first.processes).toEqual([
      { pid: 4242, name: 'my (weird) proc', user: expect.any(String), cpuPercent: 10, memBytes: 200000 * 1024 },
      { pid: 1, name: 'process_api', user: expect.any(String), cpuPercent: 0.16, memBytes: 8840 * 1024 },
      { pid: 777, name: 'postgres', user: expect.any(String), cpuPercent: 0, memBytes: 12000 * 1024 },
    ]);
    use('proc-tick2');
    for (let i = 1; i < 6; i++) {
      clock += 1000;
      expect((await collector.collect()).processes).toBeUndefined();
    }
    clock += 1000; // 6 s after the first scan
    const sixth = await collector.collect();
    // 4242: +250 ticks = 2.5 s CPU in 6 s; 777: +25 ticks = 0.25 s in 6 s
    expect(sixth.processes?.map((p) => [p.pid, p.cpuPercent])).toEqual([[4242, 41.67], [777, 4.17], [1, 0]]);
  });

  it('sidecar (--host-root): host mount table and network counters come from pid 1, statfs under the host root', async () => {
    const hostRoot = join(FIXTURES, 'hostroot');
    const seen: string[] = [];
    const c = new HostCollector({
      procRoot: join(FIXTURES, 'proc-tick1'), hostRoot, monotonicMs: () => 0,
      statfs: async (p) => { seen.push(p); return { bsize: 4096, blocks: 1000, bfree: 500, bavail: 400 }; },
    });
    const s = await c.collect();
    expect(seen).toEqual([hostRoot, join(hostRoot, 'boot/efi')]);
    expect(s.disks.map((d) => [d.mount, d.fs, d.percent])).toEqual([['/', '/dev/nvme0n1p2', 55.56], ['/boot/efi', '/dev/nvme0n1p1', 55.56]]);
    expect(s.network.map((n) => n.iface)).toEqual(['ens3', 'docker0']);
    expect(metricsSampleSchema.safeParse(full(s, 0)).success).toBe(true);
  });

  it('process users are resolved from the host root /etc/passwd', async () => {
    const c = new HostCollector({ procRoot: join(FIXTURES, 'proc-tick1'), hostRoot: join(FIXTURES, 'hostroot'), statfs, monotonicMs: () => 0 });
    const s = await c.collect();
    expect(s.processes?.map((p) => p.user)).toEqual(['alice', 'root', '105']);
  });

  it('a counter reset (interface re-created, reboot of a NIC) gives 0, not a negative or huge rate', async () => {
    use('proc-tick2');
    await collector.collect();
    use('proc-tick1');
    clock += 5000;
    const s = await collector.collect();
    expect(s.network.every((n) => n.rxBps === 0 && n.txBps === 0)).toBe(true);
    expect(s.diskIo).toEqual({ readBps: 0, writeBps: 0 });
    expect(s.cpu.percent).toBe(0);
  });
});
