/**
 * Containers through the Docker Engine API (Docker or podman's compatible service) when the socket
 * is reachable: one list call plus one non-streaming stats call per running container, in parallel,
 * bounded by a timeout. CPU% uses the engine's precpu reading when present, else our previous reading
 * (100% = one full core, like `docker stats`).
 */
import type { DockerTarget } from '../config';
import { DockerEngine } from './docker-engine';
import { round2 } from './rates';

export interface ContainerSummary {
  id: string; name: string; image: string; state: string; status: string;
  cpuPercent?: number; memBytes?: number; memLimitBytes?: number;
}

/** `at`: the engine's `read` time of the reading (ms since the epoch), when it gave one. */
interface CpuReading { total: number; system: number; cpus: number; at?: number }

/** The subset of a stats response we read. */
export interface EngineStats {
  read?: string;
  preread?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

export function createDockerClient(target: DockerTarget, timeoutMs = 3000): DockerEngine {
  return new DockerEngine(target, timeoutMs);
}

/**
 * The container's CPU time over the time between the two readings' `read` timestamps when both have
 * one, else over the host's `system_cpu_usage` delta (Docker's formula). Docker's system_cpu_usage
 * is the time of all CPUs, idle included, so both give the same result there; podman's compat API
 * (4.x, issues containers/podman#24730, #28761) fills it with the host's busy time only, which
 * inflated the result (a container capped at 0.25 core showed ≈ 130 %).
 */
export function containerCpuPercent(cur: CpuReading, prev: CpuReading | undefined): number | undefined {
  if (!prev) return undefined;
  const dCpu = cur.total - prev.total;
  if (cur.at !== undefined && prev.at !== undefined) {
    const dMs = cur.at - prev.at;
    return dMs > 0 && dCpu >= 0 ? round2((dCpu / (dMs * 1e6)) * 100) : undefined;
  }
  const dSys = cur.system - prev.system;
  if (dSys <= 0 || dCpu < 0) return undefined;
  return round2((dCpu / dSys) * cur.cpus * 100);
}

/** Memory in use as `docker stats` shows it: usage minus reclaimable page cache. */
export function containerMemBytes(m: EngineStats['memory_stats']): number | undefined {
  if (!m || typeof m.usage !== 'number') return undefined;
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? m.stats?.cache ?? 0;
  return Math.max(0, m.usage - (cache < m.usage ? cache : 0));
}

export class ContainerCollector {
  private readonly prevCpu = new Map<string, CpuReading>();
  private inFlight: Promise<ContainerSummary[]> | null = null;
  private last: ContainerSummary[] = [];

  constructor(private readonly docker: DockerEngine, private readonly timeoutMs = 2500) {}

  /** True when the Engine API answers a ping. */
  async reachable(): Promise<boolean> {
    try {
      await withTimeout(this.docker.ping(), this.timeoutMs);
      return true;
    } catch {
      this.docker.close();
      return false;
    }
  }

  close(): void {
    this.docker.close();
  }

  /** Never blocks a tick for longer than the timeout: a slow engine yields the previous result. */
  async collect(): Promise<ContainerSummary[]> {
    if (this.inFlight) return this.last;
    this.inFlight = this.collectNow().finally(() => {
      this.inFlight = null;
    });
    try {
      this.last = await withTimeout(this.inFlight, this.timeoutMs);
    } catch {
      // keep the previous list; the in-flight call still updates cpu baselines when it ends
    }
    return this.last;
  }

  private async collectNow(): Promise<ContainerSummary[]> {
    const list = await this.docker.listContainers();
    const seen = new Set<string>();
    const out = await Promise.all(
      list.slice(0, 2000).map(async (c): Promise<ContainerSummary> => {
        seen.add(c.Id);
        const base: ContainerSummary = {
          id: c.Id.slice(0, 128),
          name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '').slice(0, 255),
          image: (c.Image ?? '').slice(0, 512),
          state: (c.State ?? 'unknown').slice(0, 64),
          status: (c.Status ?? '').slice(0, 255),
        };
        if (c.State !== 'running') return base;
        try {
          const s = await this.docker.stats<EngineStats>(c.Id);
          return { ...base, ...this.usage(c.Id, s) };
        } catch {
          return base;
        }
      }),
    );
    for (const id of this.prevCpu.keys()) if (!seen.has(id)) this.prevCpu.delete(id);
    return out;
  }

  private usage(id: string, s: EngineStats): Partial<ContainerSummary> {
    const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
    const cur: CpuReading = { total: s.cpu_stats?.cpu_usage?.total_usage ?? 0, system: s.cpu_stats?.system_cpu_usage ?? 0, cpus, at: readTime(s.read) };
    const pre = s.precpu_stats;
    const engine = pre?.system_cpu_usage ? { total: pre.cpu_usage?.total_usage ?? 0, system: pre.system_cpu_usage, cpus, at: readTime(s.preread) } : undefined;
    const cpuPercent = containerCpuPercent(cur, engine ?? this.prevCpu.get(id));
    this.prevCpu.set(id, cur);
    const memBytes = containerMemBytes(s.memory_stats);
    const limit = s.memory_stats?.limit;
    const out: Partial<ContainerSummary> = {};
    if (cpuPercent !== undefined) out.cpuPercent = Math.min(cpuPercent, 409600);
    if (memBytes !== undefined) out.memBytes = memBytes;
    if (typeof limit === 'number' && limit > 0 && limit <= 2 ** 60) out.memLimitBytes = limit;
    return out;
  }
}

/** An engine timestamp in ms; none for a missing or zero time ("0001-01-01T00:00:00Z"). */
function readTime(iso: string | undefined): number | undefined {
  const t = iso ? Date.parse(iso) : NaN;
  return t > 0 ? t : undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
