import { itProcfs } from '../../test/procfs';
import { collectDiskUsage, isLocalBlockMount, realMounts, type MountEntry, type StatfsResult } from './disks';

const S: StatfsResult = { bsize: 4096, blocks: 1000, bfree: 500, bavail: 400 };

describe('disk usage: local block filesystems statfs inline, the others asynchronously', () => {
  const mounts: MountEntry[] = [
    { device: '/dev/vda1', mount: '/', type: 'ext4' },
    { device: '/dev/sdb1', mount: '/data', type: 'xfs' },
    { device: 'server:/export', mount: '/mnt/nfs', type: 'nfs4' },
    { device: '/dev/fuse', mount: '/mnt/sshfs', type: 'fuse.sshfs' },
    { device: 'tank/home', mount: '/home', type: 'zfs' },
    { device: '/dev/sdc1', mount: '/gone', type: 'ext4' },
  ];

  it('only block-device filesystems of a known local type are synchronous', () => {
    expect(mounts.map(isLocalBlockMount)).toEqual([true, true, false, false, false, true]);
  });

  it('same result as all-async; network/FUSE/ZFS never go through the inline statfs; failures left out', async () => {
    const sync: string[] = [];
    const async: string[] = [];
    const statfsSync = (p: string) => {
      sync.push(p);
      if (p === '/host/gone') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return S;
    };
    const statfs = async (p: string) => {
      async.push(p);
      if (p === '/host/gone') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return S;
    };
    const mixed = await collectDiskUsage(mounts, '/host', statfs, statfsSync);
    expect(sync).toEqual(['/host', '/host/data', '/host/gone']);
    expect(async).toEqual(['/host/mnt/nfs', '/host/mnt/sshfs', '/host/home']);
    async.length = 0;
    const allAsync = await collectDiskUsage(mounts, '/host', statfs);
    expect(async).toHaveLength(6);
    expect(mixed).toEqual(allAsync);
    expect(mixed.map((d) => d.mount)).toEqual(['/', '/data', '/mnt/nfs', '/mnt/sshfs', '/home']);
    expect(mixed[0]).toEqual({ mount: '/', fs: '/dev/vda1', type: 'ext4', totalBytes: 4096000, usedBytes: 2048000, percent: 55.56 });
  });
});

describe('HostCollector on this host: inline statfs by default, same disks as the asynchronous path', () => {
  itProcfs('live', async () => {
    const { HostCollector } = require('./host-collector') as typeof import('./host-collector');
    const inline = new HostCollector({ procRoot: '/proc', hostRoot: '/' });
    const async = new HostCollector({ procRoot: '/proc', hostRoot: '/', statfsSync: null });
    try {
      const shape = (d: { mount: string; fs: string; type: string; totalBytes: number }) => [d.mount, d.fs, d.type, d.totalBytes];
      const [a, b] = [await inline.collect(), await async.collect()];
      expect(a.disks.map(shape)).toEqual(b.disks.map(shape));
      expect(a.disks.length).toBeGreaterThan(0);
    } finally {
      inline.close();
      async.close();
    }
  });
});

describe('realMounts', () => {
  it('skips a filesystem hidden by a later mount on the same mount point (statfs there sees only the later one)', () => {
    const entries: MountEntry[] = [
      { device: '/dev/vda1', mount: '/', type: 'ext4' },
      { device: '/dev/sdb1', mount: '/data', type: 'xfs' },
      { device: '/dev/sdc1', mount: '/data', type: 'ext4' }, // mounted over /dev/sdb1
      { device: '/dev/sdd1', mount: '/scratch', type: 'ext4' },
      { device: 'tmpfs', mount: '/scratch', type: 'tmpfs' }, // a pseudo filesystem over a real one
      { device: '/dev/vda1', mount: '/var/lib/docker', type: 'ext4' }, // same device again: counted once
    ];
    expect(realMounts(entries)).toEqual([
      { device: '/dev/vda1', mount: '/', type: 'ext4' },
      { device: '/dev/sdc1', mount: '/data', type: 'ext4' },
    ]);
  });
});
