/**
 * Usage of every real mounted filesystem: mounts from /proc/<pid>/mounts, sizes from statfs
 * (no `df` child process). Pseudo filesystems are skipped and each device is counted once.
 * percent = used / (used + available), like df (space reserved for root is not "available").
 */
import { join } from 'node:path';
import { clampPercent } from './rates';

export interface MountEntry { device: string; mount: string; type: string }
export interface DiskUsage { mount: string; fs: string; type: string; totalBytes: number; usedBytes: number; percent: number }
export interface StatfsResult { bsize: number; blocks: number; bfree: number; bavail: number }
export type StatfsFn = (path: string) => Promise<StatfsResult>;

/** Filesystem types that never hold user data on a disk. */
export const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'tmpfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'overlay', 'squashfs', 'securityfs',
  'pstore', 'debugfs', 'tracefs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'bpf', 'autofs', 'binfmt_misc',
  'rpc_pipefs', 'nsfs', 'ramfs', 'efivarfs', 'selinuxfs', 'nfsd', 'fuse.lxcfs', 'fuse.gvfsd-fuse', 'fuse.portal',
  'fuse.snapfuse', 'shm', 'none', 'aufs', 'iso9660', 'udf',
]);

/** /proc/mounts escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3) continue;
    out.push({ device: unescapeMount(f[0]), mount: unescapeMount(f[1]), type: f[2] });
  }
  return out;
}

/**
 * Real filesystems, one entry per device (the first, usually the shortest, mount wins). A mount
 * hidden by a later one on the same mount point is skipped: statfs there reaches only the later.
 */
export function realMounts(entries: MountEntry[]): MountEntry[] {
  const visible = new Map<string, MountEntry>();
  for (const e of entries) visible.set(e.mount, e);
  const seen = new Set<string>();
  const out: MountEntry[] = [];
  for (const e of entries) {
    if (visible.get(e.mount) !== e) continue;
    if (PSEUDO_FS.has(e.type) || e.type.startsWith('fuse.') && !e.device.startsWith('/')) continue;
    if (e.mount.startsWith('/proc/') || e.mount.startsWith('/sys/') || e.mount.startsWith('/dev/')) continue;
    if (seen.has(e.device)) continue;
    seen.add(e.device);
    out.push(e);
  }
  return out;
}

/** Filesystems on a local block device: statfs reads in-memory counters and never waits on a network. */
export const LOCAL_BLOCK_FS = new Set([
  'ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'exfat', 'f2fs', 'jfs', 'reiserfs', 'ntfs3', 'hfsplus', 'nilfs2', 'bcachefs',
]);

/** Whether a mount may be statfs'ed synchronously (a local block-device filesystem; never a network or FUSE one). */
export function isLocalBlockMount(m: MountEntry): boolean {
  return LOCAL_BLOCK_FS.has(m.type) && m.device.startsWith('/dev/');
}

export type StatfsSyncFn = (path: string) => StatfsResult;

/**
 * statfs every real mount (under hostRoot when running as a sidecar). Mounts that cannot be
 * read (permission, stale network mount) or have zero size are left out rather than reported as 0.
 */
export async function collectDisks(entries: MountEntry[], hostRoot: string, statfs: StatfsFn): Promise<DiskUsage[]> {
  return collectDiskUsage(realMounts(entries), hostRoot, statfs);
}

/**
 * collectDisks for mounts already filtered by realMounts. With `statfsSync`, local block-device
 * filesystems are statfs'ed inline (one syscall, instead of a thread-pool round trip per mount);
 * network and FUSE mounts, which can hang, always go through the asynchronous `statfs`.
 */
export async function collectDiskUsage(mounts: MountEntry[], hostRoot: string, statfs: StatfsFn, statfsSync?: StatfsSyncFn): Promise<DiskUsage[]> {
  const pathOf = (m: MountEntry) => (hostRoot === '/' ? m.mount : m.mount === '/' ? hostRoot : join(hostRoot, m.mount));
  const results: Array<DiskUsage | null | Promise<DiskUsage | null>> = mounts.map((m) => {
    if (statfsSync && isLocalBlockMount(m)) {
      try {
        return usageOf(m, statfsSync(pathOf(m)));
      } catch {
        return null;
      }
    }
    return statfs(pathOf(m)).then((s) => usageOf(m, s), () => null);
  });
  const settled = results.some((r) => r instanceof Promise) ? await Promise.all(results) : (results as Array<DiskUsage | null>);
  return settled.filter((d): d is DiskUsage => d !== null);
}

function usageOf(m: MountEntry, s: StatfsResult): DiskUsage | null {
  const total = s.blocks * s.bsize;
  if (total <= 0) return null;
  const used = Math.max(0, (s.blocks - s.bfree) * s.bsize);
  const avail = Math.max(0, s.bavail * s.bsize);
  return {
    mount: m.mount,
    fs: m.device,
    type: m.type,
    totalBytes: total,
    usedBytes: used,
    percent: used + avail > 0 ? clampPercent((used / (used + avail)) * 100) : 0,
  };
}
