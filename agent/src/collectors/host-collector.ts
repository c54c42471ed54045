/**
 * One tick's worth of host metrics, read straight from /proc and statfs (no child processes).
 * Keeps the previous counters to turn them into rates; the first tick reports 0 rates.
 * Processes are scanned every `processEvery`-th tick; containers every tick when Docker is reachable.
 * The mount table is re-read every MOUNT_TABLE_REFRESH_MS, and at once when a filesystem's statfs
 * fails or its size changes (an unmount); the filesystems themselves are statfs'ed every tick.
 */
import { statfs as statfsCb, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsSample } from '@chatops/protocol';
import type { ContainerCollector } from './containers';
import { cpuUsage, parseLoadavg, parseProcStat, type ProcStat } from './cpu';
import { diskIoRates, parseDiskstats, type DiskIoCounters } from './disk-io';
import { collectDiskUsage, parseMounts, realMounts, type DiskUsage, type MountEntry, type StatfsFn, type StatfsSyncFn } from './disks';
import { parseMeminfo } from './memory';
import { networkUsage, parseNetDev, type IfaceCounters } from './network';
import { ProcessCollector } from './processes';
import { parseUptime } from './uptime';
import { ProcFiles, isProcfs } from './read-proc';

export type HostSample = Omit<MetricsSample, 'seq' | 'bootId'>;

/**
 * How often the mount table is re-read. Generating it is the kernel's most expensive /proc file
 * for the agent (≈ 5 % of its CPU when read every tick: a path and the options of every mount),
 * while it changes rarely; a new mount shows up within this delay. A mount that goes away is
 * noticed on the next tick (see HostCollector.disksStillMatch).
 */
export const MOUNT_TABLE_REFRESH_MS = 30_000;
/** Tick timers are not exact: a refresh due within this margin is done now rather than a tick later. */
const REFRESH_SLACK_MS = 250;

export interface HostCollectorOptions {
  procRoot: string;
  hostRoot: string;
  statfs?: StatfsFn;
  /**
   * statfs for local block-device filesystems, inline (default: fs.statfsSync unless `statfs` is
   * given, so a test's fake statfs sees every mount; null: always the asynchronous `statfs`).
   */
  statfsSync?: StatfsSyncFn | null;
  containers?: ContainerCollector | null;
  processEvery?: number;
  /** Monotonic milliseconds (injectable for tests). */
  monotonicMs?: () => number;
  wallClock?: () => Date;
}

const defaultStatfs: StatfsFn = (path) =>
  new Promise((resolve, reject) => statfsCb(path, (err, s) => (err ? reject(err) : resolve(s))));

export class HostCollector {
  private prevStat: ProcStat | undefined;
  private prevNet: Map<string, IfaceCounters> | undefined;
  private prevIo: DiskIoCounters | undefined;
  private prevAtMs: number | undefined;
  private tick = 0;
  private readonly processes: ProcessCollector;
  private readonly statfs: StatfsFn;
  private readonly statfsSync: StatfsSyncFn | undefined;
  /** The mount table text of the previous tick and its real mounts (re-parsed only when it changes). */
  private mountsText: string | undefined;
  private mounts: MountEntry[] = [];
  /** When the mount table was last read (monotonic ms). */
  private mountsReadAtMs = -Infinity;
  /** Size of every filesystem reported on the previous tick, by mount point. */
  private readonly diskTotals = new Map<string, number>();
  /** Absolute paths of the host-wide files (joined once). */
  private readonly paths: Record<'stat' | 'loadavg' | 'meminfo' | 'diskstats' | 'uptime', string>;
  private readonly processEvery: number;
  private readonly monotonicMs: () => number;
  private readonly wallClock: () => Date;
  private readonly nsPaths = new Map<string, string>();
  /** Descriptors of the host-wide files stay open between ticks on a real procfs. */
  private readonly files: ProcFiles;

  constructor(private readonly opts: HostCollectorOptions) {
    const procfs = isProcfs(opts.procRoot);
    this.files = new ProcFiles(procfs);
    this.processes = new ProcessCollector(opts.procRoot, opts.hostRoot, undefined, procfs);
    this.statfs = opts.statfs ?? defaultStatfs;
    this.statfsSync = opts.statfsSync === null ? undefined : opts.statfsSync ?? (opts.statfs ? undefined : statfsSync);
    const p = (rel: string) => join(opts.procRoot, rel);
    this.paths = { stat: p('stat'), loadavg: p('loadavg'), meminfo: p('meminfo'), diskstats: p('diskstats'), uptime: p('uptime') };
    this.processEvery = opts.processEvery ?? 6;
    this.monotonicMs = opts.monotonicMs ?? (() => performance.now());
    this.wallClock = opts.wallClock ?? (() => new Date());
  }

  /** @param singleShow a single_open procfs file (stat, loadavg, meminfo, uptime): one read returns all of it */
  private read(path: string, singleShow = false): string {
    return this.files.read(path, singleShow);
  }

  /** Close the kept /proc descriptors (a later collect() reopens them). */
  close(): void {
    this.files.close();
    this.processes.close();
  }

  private tryRead(path: string, singleShow = false): string | undefined {
    try {
      return this.read(path, singleShow);
    } catch {
      return undefined;
    }
  }

  /**
   * Mount table and network counters are per namespace: in sidecar mode read pid 1's (the host's)
   * view, because `self` is the container's (or does not resolve without `pid: host`).
   */
  private readNamespaced(kind: 'mounts' | 'net/dev'): string {
    const cached = this.nsPaths.get(kind);
    if (cached) {
      const t = this.tryRead(cached);
      if (t !== undefined) return t;
    }
    const order = this.opts.hostRoot !== '/' ? [`1/${kind}`, `self/${kind}`, kind] : [`self/${kind}`, kind, `1/${kind}`];
    for (const rel of order) {
      const path = join(this.opts.procRoot, rel);
      const t = this.tryRead(path);
      if (t !== undefined) {
        this.nsPaths.set(kind, path);
        return t;
      }
    }
    return '';
  }

  private readMountTable(nowMs: number): void {
    const mountsText = this.readNamespaced('mounts');
    if (mountsText !== this.mountsText) {
      this.mounts = realMounts(parseMounts(mountsText));
      this.mountsText = mountsText;
    }
    this.mountsReadAtMs = nowMs;
  }

  /** Whether this tick's filesystems are the previous tick's, with the same sizes. */
  private disksStillMatch(disks: DiskUsage[]): boolean {
    if (disks.length !== this.diskTotals.size) return false;
    for (let i = 0; i < disks.length; i++) if (this.diskTotals.get(disks[i].mount) !== disks[i].totalBytes) return false;
    return true;
  }

  async collect(): Promise<HostSample> {
    const nowMs = this.monotonicMs();
    const dtSec = this.prevAtMs === undefined ? 0 : (nowMs - this.prevAtMs) / 1000;
    const timestamp = this.wallClock().toISOString();

    const paths = this.paths;
    const stat = parseProcStat(this.read(paths.stat, true));
    const cpu = cpuUsage(this.prevStat, stat);
    const load = parseLoadavg(this.tryRead(paths.loadavg, true) ?? '');
    const memory = parseMeminfo(this.read(paths.meminfo, true));
    const net = parseNetDev(this.readNamespaced('net/dev'));
    const io = parseDiskstats(this.tryRead(paths.diskstats) ?? '');
    const uptimeText = this.tryRead(paths.uptime, true);
    const uptimeSec = uptimeText !== undefined ? parseUptime(uptimeText) : undefined;

    const network = networkUsage(this.prevNet, net, dtSec).slice(0, 256);
    const diskIo = diskIoRates(this.prevIo, io, dtSec);

    this.prevStat = stat;
    this.prevNet = new Map(net.map((n) => [n.iface, n]));
    this.prevIo = io;
    this.prevAtMs = nowMs;

    const scanProcesses = this.tick % this.processEvery === 0;
    this.tick++;

    const freshTable = nowMs - this.mountsReadAtMs >= MOUNT_TABLE_REFRESH_MS - REFRESH_SLACK_MS;
    if (freshTable) this.readMountTable(nowMs);
    let [disks, containers] = await Promise.all([
      collectDiskUsage(this.mounts, this.opts.hostRoot, this.statfs, this.statfsSync),
      this.opts.containers ? this.opts.containers.collect() : Promise.resolve(undefined),
    ]);
    const unchanged = !freshTable && this.disksStillMatch(disks);
    if (!freshTable && !unchanged) {
      // A filesystem vanished or changed size since the last tick (unmounted: statfs now fails or
      // reports the parent filesystem): read the table again rather than report a stale mount.
      this.readMountTable(nowMs);
      disks = await collectDiskUsage(this.mounts, this.opts.hostRoot, this.statfs, this.statfsSync);
    }
    if (!unchanged) {
      this.diskTotals.clear();
      for (const d of disks) this.diskTotals.set(d.mount, d.totalBytes);
    }

    const sample: HostSample = {
      timestamp,
      cpu: { percent: cpu.percent, perCore: cpu.perCore, load, cores: cpu.cores },
      memory,
      disks: disks.slice(0, 256),
      network,
      diskIo,
    };
    if (uptimeSec !== undefined) sample.uptimeSec = Math.floor(uptimeSec);
    if (containers) sample.containers = containers;
    if (scanProcesses) sample.processes = this.processes.collect(nowMs / 1000, uptimeSec ?? 0);
    return sample;
  }
}
