/**
 * One tick's worth of host metrics, read straight from /proc and statfs (no child processes).
 * Keeps the previous counters to turn them into rates; the first tick reports 0 rates.
 * Processes are scanned every `processEvery`-th tick; containers every tick when Docker is reachable.
 */
import { statfs as statfsCb } from 'node:fs';
import { join } from 'node:path';
import type { MetricsSample } from '@chatops/protocol';
import type { ContainerCollector } from './containers';
import { cpuUsage, parseLoadavg, parseProcStat, type ProcStat } from './cpu';
import { diskIoRates, parseDiskstats, type DiskIoCounters } from './disk-io';
import { collectDisks, parseMounts, type StatfsFn } from './disks';
import { parseMeminfo } from './memory';
import { networkUsage, parseNetDev, type IfaceCounters } from './network';
import { ProcessCollector } from './processes';
import { parseUptime } from './uptime';
import { ProcFiles, isProcfs } from './read-proc';

export type HostSample = Omit<MetricsSample, 'seq' | 'bootId'>;

export interface HostCollectorOptions {
  procRoot: string;
  hostRoot: string;
  statfs?: StatfsFn;
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
    this.processEvery = opts.processEvery ?? 6;
    this.monotonicMs = opts.monotonicMs ?? (() => performance.now());
    this.wallClock = opts.wallClock ?? (() => new Date());
  }

  private read(rel: string): string {
    return this.files.read(join(this.opts.procRoot, rel));
  }

  /** Close the kept /proc descriptors (a later collect() reopens them). */
  close(): void {
    this.files.close();
    this.processes.close();
  }

  private tryRead(rel: string): string | undefined {
    try {
      return this.read(rel);
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
      const t = this.tryRead(rel);
      if (t !== undefined) {
        this.nsPaths.set(kind, rel);
        return t;
      }
    }
    return '';
  }

  async collect(): Promise<HostSample> {
    const nowMs = this.monotonicMs();
    const dtSec = this.prevAtMs === undefined ? 0 : (nowMs - this.prevAtMs) / 1000;
    const timestamp = this.wallClock().toISOString();

    const stat = parseProcStat(this.read('stat'));
    const cpu = cpuUsage(this.prevStat, stat);
    const load = parseLoadavg(this.tryRead('loadavg') ?? '');
    const memory = parseMeminfo(this.read('meminfo'));
    const net = parseNetDev(this.readNamespaced('net/dev'));
    const io = parseDiskstats(this.tryRead('diskstats') ?? '');
    const uptimeText = this.tryRead('uptime');
    const uptimeSec = uptimeText !== undefined ? parseUptime(uptimeText) : undefined;

    const network = networkUsage(this.prevNet, net, dtSec).slice(0, 256);
    const diskIo = diskIoRates(this.prevIo, io, dtSec);

    this.prevStat = stat;
    this.prevNet = new Map(net.map((n) => [n.iface, n]));
    this.prevIo = io;
    this.prevAtMs = nowMs;

    const scanProcesses = this.tick % this.processEvery === 0;
    this.tick++;

    const [disks, containers] = await Promise.all([
      collectDisks(parseMounts(this.readNamespaced('mounts')), this.opts.hostRoot, this.statfs),
      this.opts.containers ? this.opts.containers.collect() : Promise.resolve(undefined),
    ]);

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
