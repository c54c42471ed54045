/**
 * The Engine API's documents (Docker's spelling; podman's compatible service answers the same)
 * mapped to the wire shapes of libs/protocol/src/docker.ts. Pure functions, tolerant of missing
 * fields (an engine may omit any of them) and bounded to what the backend's schemas accept.
 */
import {
  DOCKER_ANSWER_MAX_BYTES, redactEnvEntry,
  type ContainerInfo, type ContainerInspect, type ContainerPort, type ContainerStats, type ImageInfo,
} from '@chatops/protocol/docker';
import { containerCpuPercent, containerMemBytes, type EngineStats } from '../collectors/containers';
import { fitItems, jsonBytes } from './docker-log-lines';

/** An engine document: untyped JSON, read field by field. */
type Doc = Record<string, any>;

const str = (v: unknown, max: number, fallback = ''): string => (typeof v === 'string' ? v.slice(0, max) : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown, maxItems: number, maxLen: number): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, maxItems).map((s) => s.slice(0, maxLen)) : [];
const nonNegInt = (v: unknown): number => (Number.isInteger(v) && (v as number) >= 0 ? Math.min(v as number, 2 ** 31) : 0);

/** Docker's "never" (`0001-01-01T00:00:00Z`), an empty or unparsable time → null; else ISO-8601 UTC. */
export function engineTime(v: unknown): string | null {
  if (typeof v !== 'string' || !v || v.startsWith('0001-01-01')) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) && t > 0 ? new Date(t).toISOString() : null;
}

/** Unix seconds (list's and images' `Created`) → ISO-8601; the epoch when missing. */
export function unixTime(v: unknown): string {
  const n = num(v);
  return new Date(n !== null && n > 0 ? n * 1000 : 0).toISOString();
}

const PORT_TYPES = new Set(['tcp', 'udp', 'sctp']);
const portType = (v: unknown): ContainerPort['type'] => (typeof v === 'string' && PORT_TYPES.has(v) ? (v as ContainerPort['type']) : 'tcp');
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

/** `list`'s `Ports`: `[{PrivatePort, PublicPort?, Type, IP?}]`. */
export function listPorts(ports: unknown): ContainerPort[] {
  if (!Array.isArray(ports)) return [];
  const out: ContainerPort[] = [];
  for (const p of ports.slice(0, 1024) as Doc[]) {
    if (!p || !isPort(p.PrivatePort)) continue;
    out.push({
      privatePort: p.PrivatePort, type: portType(p.Type),
      ...(isPort(p.PublicPort) && p.PublicPort > 0 ? { publicPort: p.PublicPort } : {}),
      ...(typeof p.IP === 'string' && p.IP ? { ip: p.IP.slice(0, 64) } : {}),
    });
  }
  return out;
}

/** inspect's `NetworkSettings.Ports`: `{"80/tcp": [{HostIp, HostPort}] | null}`. */
export function inspectPorts(ports: unknown): ContainerPort[] {
  if (!ports || typeof ports !== 'object') return [];
  const out: ContainerPort[] = [];
  for (const [key, bindings] of Object.entries(ports as Doc).slice(0, 1024)) {
    const [p, t] = key.split('/');
    const privatePort = Number(p);
    if (!isPort(privatePort)) continue;
    const type = portType(t ?? 'tcp');
    const published = Array.isArray(bindings) ? (bindings as Doc[]) : [];
    if (!published.length) out.push({ privatePort, type });
    for (const b of published) {
      const publicPort = Number(b?.HostPort);
      out.push({
        privatePort, type,
        ...(isPort(publicPort) && publicPort > 0 ? { publicPort } : {}),
        ...(typeof b?.HostIp === 'string' && b.HostIp ? { ip: b.HostIp.slice(0, 64) } : {}),
      });
    }
  }
  return out.slice(0, 1024);
}

const containerName = (names: unknown, id: string): string => {
  const first = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : id.slice(0, 12);
  return first.replace(/^\//, '').slice(0, 255);
};

/** `GET /containers/json` item → ContainerInfo. */
export function toContainerInfo(c: Doc): ContainerInfo {
  const id = str(c.Id, 128);
  return {
    id,
    name: containerName(c.Names, id),
    image: str(c.Image, 512),
    state: str(c.State, 32, 'unknown'),
    status: str(c.Status, 255),
    createdAt: unixTime(c.Created),
    ports: listPorts(c.Ports),
  };
}

/** `GET /images/json` item → ImageInfo (`<none>:<none>` is no tag). */
export function toImageInfo(i: Doc): ImageInfo {
  return {
    id: str(i.Id, 256, 'unknown') || 'unknown',
    tags: strings(i.RepoTags, 1024, 512).filter((t) => t !== '<none>:<none>'),
    sizeBytes: Math.max(0, num(i.Size) ?? 0),
    createdAt: unixTime(i.Created),
  };
}

const nullableStrings = (v: unknown): string[] | null => (Array.isArray(v) ? strings(v, 1024, 8192) : typeof v === 'string' && v ? [v.slice(0, 8192)] : null);
const orNull = (v: unknown, max: number): string | null => (typeof v === 'string' && v ? v.slice(0, max) : null);

/**
 * `GET /containers/{id}/json` → ContainerInspect. Environment values are replaced by `***`
 * (`KEY=***`) unless `showEnv`: secrets stay on the host.
 */
export function toContainerInspect(d: Doc, showEnv: boolean): ContainerInspect {
  const state: Doc = d.State ?? {};
  const config: Doc = d.Config ?? {};
  const host: Doc = d.HostConfig ?? {};
  const health: Doc | null = state.Health && typeof state.Health === 'object' ? state.Health : null;
  const running = state.Running === true;
  const env = strings(config.Env, 4096, 32 * 1024);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((config.Labels ?? {}) as Doc).slice(0, 4096)) if (typeof v === 'string') labels[k.slice(0, 1024)] = v.slice(0, 8192);
  const path = typeof d.Path === 'string' && d.Path ? [d.Path] : [];
  const id = str(d.Id, 128);
  return {
    id,
    name: str(d.Name, 256).replace(/^\//, '').slice(0, 255),
    image: str(config.Image, 512) || str(d.ImageName, 512),
    imageId: str(d.Image, 256),
    createdAt: engineTime(d.Created) ?? new Date(0).toISOString(),
    state: {
      status: str(state.Status, 32, 'unknown'),
      running,
      paused: state.Paused === true,
      restarting: state.Restarting === true,
      oomKilled: state.OOMKilled === true,
      dead: state.Dead === true,
      pid: running && Number.isInteger(state.Pid) && state.Pid > 0 ? state.Pid : null,
      exitCode: running ? null : Number.isInteger(state.ExitCode) ? Math.max(-1, Math.min(state.ExitCode, 1_000_000)) : null,
      error: orNull(state.Error, 4096),
      startedAt: engineTime(state.StartedAt),
      finishedAt: engineTime(state.FinishedAt),
      health: health && typeof health.Status === 'string' && health.Status
        ? { status: health.Status.slice(0, 32), failingStreak: nonNegInt(health.FailingStreak) }
        : null,
    },
    restartCount: nonNegInt(d.RestartCount),
    command: [...path, ...strings(d.Args, 1023, 8192)],
    config: {
      hostname: str(config.Hostname, 255),
      user: str(config.User, 255),
      workingDir: str(config.WorkingDir, 4096),
      entrypoint: nullableStrings(config.Entrypoint),
      cmd: nullableStrings(config.Cmd),
      env: showEnv ? env : env.map(redactEnvEntry),
      labels,
      tty: config.Tty === true,
    },
    envRedacted: !showEnv,
    restartPolicy: { name: str(host.RestartPolicy?.Name, 64, 'no') || 'no', maximumRetryCount: nonNegInt(host.RestartPolicy?.MaximumRetryCount) },
    ports: inspectPorts(d.NetworkSettings?.Ports),
    mounts: (Array.isArray(d.Mounts) ? (d.Mounts as Doc[]) : []).slice(0, 1024).map((m) => ({
      type: str(m?.Type, 32),
      ...(typeof m?.Name === 'string' && m.Name ? { name: m.Name.slice(0, 255) } : {}),
      source: str(m?.Source, 4096),
      destination: str(m?.Destination, 4096),
      mode: str(m?.Mode, 64),
      rw: m?.RW !== false,
    })),
    networks: Object.entries((d.NetworkSettings?.Networks ?? {}) as Doc).slice(0, 256).map(([name, n]) => ({
      name: name.slice(0, 255),
      ipAddress: orNull(n?.IPAddress, 64),
      gateway: orNull(n?.Gateway, 64),
      macAddress: orNull(n?.MacAddress, 64),
    })),
    resources: {
      memoryLimitBytes: num(host.Memory) && host.Memory > 0 ? Math.min(host.Memory, 2 ** 60) : null,
      nanoCpus: Number.isInteger(host.NanoCpus) && host.NanoCpus > 0 ? host.NanoCpus : null,
      privileged: host.Privileged === true,
      networkMode: str(host.NetworkMode, 255),
    },
  };
}

/** One CPU reading of a stats document, as the per-tick collector takes it. */
export function cpuReading(s: EngineStats): { total: number; system: number; cpus: number; at?: number } {
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  const at = s.read ? Date.parse(s.read) : NaN;
  return { total: s.cpu_stats?.cpu_usage?.total_usage ?? 0, system: s.cpu_stats?.system_cpu_usage ?? 0, cpus, ...(at > 0 ? { at } : {}) };
}

export const ZERO_STATS: ContainerStats = { cpuPercent: 0, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 };

/**
 * Two one-shot readings (`first` earlier) → ContainerStats: CPU% over the time between them
 * (100 = one core, as `docker stats` and the collector compute it), memory without the inactive
 * page cache, network summed over every interface.
 */
export function toContainerStats(first: EngineStats | null, second: Doc): ContainerStats {
  const s = second as EngineStats & Doc;
  const cpu = first ? containerCpuPercent(cpuReading(s), cpuReading(first)) : undefined;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values((s.networks ?? {}) as Doc)) {
    rx += num(n?.rx_bytes) ?? 0;
    tx += num(n?.tx_bytes) ?? 0;
  }
  const limit = num(s.memory_stats?.limit);
  return {
    cpuPercent: Math.min(Math.max(cpu ?? 0, 0), 100 * 4096),
    memBytes: Math.min(containerMemBytes(s.memory_stats) ?? 0, 2 ** 60),
    memLimitBytes: limit !== null && limit > 0 ? Math.min(limit, 2 ** 60) : 0,
    netRxBytes: Math.min(rx, 2 ** 60),
    netTxBytes: Math.min(tx, 2 ** 60),
    pids: nonNegInt(s.pids_stats?.current),
  };
}

/**
 * An inspect answer within `maxBytes` of JSON (an acknowledgement is one frame, and the backend
 * closes a connection whose frame is too large): when it is larger, the lists that can grow without
 * bound (command, networks, ports, mounts, environment, labels) keep what fits, in that order, and
 * `truncated` says so. Everything else is bounded by the mapping already.
 */
export function fitInspect(inspect: ContainerInspect, maxBytes = DOCKER_ANSWER_MAX_BYTES): ContainerInspect {
  if (jsonBytes(inspect) <= maxBytes) return inspect;
  const out: ContainerInspect = {
    ...inspect, command: [], networks: [], ports: [], mounts: [], config: { ...inspect.config, env: [], labels: {} }, truncated: true,
  };
  let room = maxBytes - jsonBytes(out);
  const take = <T>(items: T[]): T[] => {
    const kept = fitItems(items, Math.max(0, room) + 2);
    room -= jsonBytes(kept) - 2;
    return kept;
  };
  out.command = take(inspect.command);
  out.networks = take(inspect.networks);
  out.ports = take(inspect.ports);
  out.mounts = take(inspect.mounts);
  out.config.env = take(inspect.config.env);
  // An entry costs a little more as a pair than as a property: what is kept fits.
  out.config.labels = Object.fromEntries(take(Object.entries(inspect.config.labels)));
  return out;
}
