import type { ContainerEvent, ContainerInfo, ContainerPort, ContainerSummary } from '@chatops/protocol';

/** CPU / memory points each container's sparklines keep (one per live sample). */
export const CONTAINER_SPARK_POINTS = 30;

export type ContainerHealthState = 'healthy' | 'unhealthy' | 'starting' | null;

/** One row of the Containers table: the REST list merged with live samples and container events. */
export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  createdAt: string | null;
  ports: ContainerPort[];
  cpuPercent: number | null;
  memBytes: number | null;
  memLimitBytes: number | null;
  /** CPU % (100 = one core) of the last CONTAINER_SPARK_POINTS samples, oldest first. */
  cpuTrend: number[];
  /** Memory in % of the container's limit, same points. */
  memTrend: number[];
  /** When it last started, if an event told us (else the uptime comes from Docker's status text). */
  startedAt: string | null;
}

const sameContainer = (a: { id: string; name: string }, b: { id: string; name: string }) =>
  a.id === b.id || (a.id.length >= 12 && b.id.startsWith(a.id)) || (b.id.length >= 12 && a.id.startsWith(b.id)) || (!!a.name && a.name === b.name);

const emptyRow = (c: { id: string; name: string; image: string; state: string; status: string }): ContainerRow => ({
  id: c.id, name: c.name, image: c.image, state: c.state, status: c.status, createdAt: null, ports: [],
  cpuPercent: null, memBytes: null, memLimitBytes: null, cpuTrend: [], memTrend: [], startedAt: null,
});

/** The REST list is the truth about which containers exist; live values and trends are kept per container. */
export function mergeList(rows: readonly ContainerRow[], list: readonly ContainerInfo[]): ContainerRow[] {
  return list
    .map((c) => {
      const old = rows.find((r) => sameContainer(r, c));
      return { ...(old ?? emptyRow(c)), id: c.id, name: c.name, image: c.image, state: c.state, status: c.status, createdAt: c.createdAt, ports: c.ports };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A live sample's `containers`: state, status, CPU and memory of each; one trend point per sample.
 * A container the table does not know yet is added (the next REST read fills in its ports).
 */
export function applySample(rows: readonly ContainerRow[], containers: readonly ContainerSummary[]): ContainerRow[] {
  const next = rows.map((r) => {
    const c = containers.find((s) => sameContainer(r, s));
    if (!c) return r;
    const memPct = c.memBytes != null && c.memLimitBytes ? (c.memBytes / c.memLimitBytes) * 100 : null;
    return {
      ...r, state: c.state, status: c.status,
      cpuPercent: c.cpuPercent ?? null, memBytes: c.memBytes ?? null, memLimitBytes: c.memLimitBytes ?? null,
      cpuTrend: c.cpuPercent == null ? r.cpuTrend : [...r.cpuTrend, c.cpuPercent].slice(-CONTAINER_SPARK_POINTS),
      memTrend: memPct == null ? r.memTrend : [...r.memTrend, memPct].slice(-CONTAINER_SPARK_POINTS),
    };
  });
  const added = containers.filter((c) => !rows.some((r) => sameContainer(r, c))).map((c) => emptyRow(c));
  return added.length ? [...next, ...added].sort((a, b) => a.name.localeCompare(b.name)) : next;
}

/** The state an event leaves a container in (null: unchanged); `destroy` removes the row. */
const STATE_AFTER: Partial<Record<ContainerEvent['action'], string>> = {
  start: 'running', restart: 'running', unpause: 'running', pause: 'paused', die: 'exited', stop: 'exited', create: 'created',
};

/** A `container_event`: the row's state changes at once (Docker's status text follows with the next sample or read). */
export function applyEvent(rows: readonly ContainerRow[], e: ContainerEvent): ContainerRow[] {
  const ref = { id: e.containerId, name: e.name };
  if (e.action === 'destroy') return rows.filter((r) => !sameContainer(r, ref));
  const state = STATE_AFTER[e.action];
  return rows.map((r) => {
    if (!sameContainer(r, ref)) return r;
    let status = r.status;
    if (e.action === 'die') status = e.exitCode != null ? `Exited (${e.exitCode})` : 'Exited';
    else if (e.action === 'start' || e.action === 'restart') status = 'Up';
    else if (e.action === 'pause') status = 'Paused';
    else if (e.action === 'health_status' && e.health) status = withHealth(r.status, e.health);
    return {
      ...r, state: state ?? r.state, status,
      startedAt: e.action === 'start' || e.action === 'restart' ? e.time : r.startedAt,
      ...(state && state !== 'running' && state !== 'paused' ? { cpuPercent: null, memBytes: null } : {}),
    };
  });
}

function withHealth(status: string, health: string): string {
  const base = status.replace(/\s*\((?:healthy|unhealthy|health: starting)\)\s*$/, '');
  return `${base} (${health === 'starting' ? 'health: starting' : health})`;
}

/** From Docker's status text: `Up 2 hours (unhealthy)` → unhealthy. */
export function healthOf(status: string): ContainerHealthState {
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return null;
}

/** How long it has been up: from a start we saw, else from Docker's `Up 2 hours` text; '' when not running. */
export function uptimeOf(row: ContainerRow, now: number): string {
  if (row.state !== 'running' && row.state !== 'paused') return '';
  if (row.startedAt) {
    const s = Math.max(0, Math.round((now - Date.parse(row.startedAt)) / 1000));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
  }
  const m = /^Up\s+(.+?)(?:\s+\(.*\))?$/.exec(row.status);
  return m ? m[1] : '';
}

/** `0.0.0.0:8080→80/tcp`, `5432/tcp` (exposed only). */
export function formatPorts(ports: readonly ContainerPort[]): string {
  const seen = new Set<string>();
  for (const p of ports) {
    seen.add(p.publicPort ? `${p.ip && p.ip !== '0.0.0.0' && p.ip !== '::' ? `${p.ip}:` : ''}${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`);
  }
  return [...seen].join(', ');
}
