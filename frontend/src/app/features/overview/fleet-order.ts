import type { Server, ServerStatus } from '@chatops/protocol';
import type { FleetCard } from './fleet-state';

/**
 * Order, filter and grouping of the fleet (cards and table). Built for thousands of servers: the
 * order is a snapshot of ids taken on purpose (see {@link rankIds}), filtering walks that snapshot
 * once with a cached lower-case search text per server, and nothing here sorts strings per frame.
 */

export type SortKey = 'name' | 'status' | 'lastSeen' | 'cpu' | 'memory' | 'disk' | 'load' | 'containers';
export type SortDir = 'asc' | 'desc';
export type StatusFilter = 'all' | ServerStatus;
export interface FleetFilter {
  query: string;
  status: StatusFilter;
  /** Only servers with this tag; null: any. */
  tag: string | null;
}

/** The direction a column sorts in first: names A→Z, problems and big values first, newest first. */
export const DEFAULT_DIR: Record<SortKey, SortDir> = {
  name: 'asc', status: 'asc', lastSeen: 'desc', cpu: 'desc', memory: 'desc', disk: 'desc', load: 'desc', containers: 'desc',
};
export const SORT_LABELS: Record<SortKey, string> = {
  name: 'Name', status: 'Status', lastSeen: 'Last seen', cpu: 'CPU', memory: 'Memory', disk: 'Disk', load: 'Load', containers: 'Containers',
};

const STATUS_ORDER: Record<ServerStatus, number> = { offline: 0, unknown: 1, online: 2 };
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The value a card sorts by (null: no value, always last whatever the direction). */
const VALUE: Record<Exclude<SortKey, 'name'>, (c: FleetCard) => number | null> = {
  status: (c) => STATUS_ORDER[c.status],
  lastSeen: (c) => (c.lastSeen ? Date.parse(c.lastSeen) || null : null),
  cpu: (c) => c.cpuPercent,
  memory: (c) => c.memoryPercent,
  disk: (c) => c.diskPercent,
  load: (c) => c.load1,
  // Containers with trouble (not running, unhealthy) first, then the most containers.
  containers: (c) => (c.containersTotal == null ? null : (c.containersTotal - (c.containersRunning ?? 0) + (c.containersUnhealthy ?? 0)) * 1e6 + c.containersTotal),
};

/** Ids by name (natural order, case-insensitive), the tie-break of every sort: computed once per server list. */
export function nameOrder(servers: readonly Server[]): Map<string, number> {
  return new Map([...servers].sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id)).map((s, i) => [s.id, i]));
}

/**
 * Every server's id in `key` order now. The page takes this snapshot when the user sorts, when
 * servers come or go, and on a timer: live values change the rows in place between snapshots, so
 * rows do not move under the user on every sample. Numbers only are compared (names through
 * `byName`), so 5,000 servers sort in a few milliseconds.
 */
export function rankIds(cards: Iterable<FleetCard>, key: SortKey, dir: SortDir, byName: Map<string, number>): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  const rows: { id: string; v: number | null; n: number }[] = [];
  for (const c of cards) {
    const n = byName.get(c.server.id) ?? Number.MAX_SAFE_INTEGER;
    rows.push({ id: c.server.id, v: key === 'name' ? n : VALUE[key](c), n });
  }
  rows.sort((a, b) => {
    if (a.v !== b.v) {
      if (a.v === null) return 1;
      if (b.v === null) return -1;
      return (a.v - b.v) * sign;
    }
    return a.n - b.n;
  });
  return rows.map((r) => r.id);
}

const searchText = new WeakMap<Server, string>();
/** Name, host and tags in lower case, cached per server object (a reload brings new objects). */
function textOf(s: Server): string {
  let t = searchText.get(s);
  if (t === undefined) {
    t = `${s.name}\n${s.host ?? ''}\n${(s.tags ?? []).join('\n')}`.toLowerCase();
    searchText.set(s, t);
  }
  return t;
}

export function matches(c: FleetCard, f: FleetFilter, q = f.query.trim().toLowerCase()): boolean {
  return (f.status === 'all' || c.status === f.status) && (!f.tag || (c.server.tags ?? []).includes(f.tag)) && (!q || textOf(c.server).includes(q));
}

/** The ids of `order` that pass the filter, in that order (ids no longer in `cards` dropped). */
export function filterIds(order: readonly string[], cards: ReadonlyMap<string, FleetCard>, f: FleetFilter): string[] {
  const q = f.query.trim().toLowerCase();
  const out: string[] = [];
  for (const id of order) {
    const c = cards.get(id);
    if (c && matches(c, f, q)) out.push(id);
  }
  return out;
}

/** Every tag in the fleet, sorted. */
export function fleetTags(servers: Iterable<Server>): string[] {
  const all = new Set<string>();
  for (const s of servers) for (const t of s.tags ?? []) all.add(t);
  return [...all].sort(collator.compare);
}

/** A row of the overview: a group heading (grouped by tag) or a server. */
export type FleetItem =
  | { kind: 'group'; key: string; tag: string | null; count: number }
  | { kind: 'server'; key: string; id: string };

/**
 * The rows to show: the servers in order, or, grouped by tag, a heading per tag (sorted) followed
 * by its servers in order; a server with several tags shows under each, untagged ones come last.
 */
export function fleetItems(ids: readonly string[], cards: ReadonlyMap<string, FleetCard>, groupByTag: boolean): FleetItem[] {
  if (!groupByTag) return ids.map((id) => ({ kind: 'server', key: id, id }));
  const groups = new Map<string | null, string[]>();
  for (const id of ids) {
    const tags = cards.get(id)?.server.tags ?? [];
    for (const tag of tags.length ? tags : [null]) {
      let list = groups.get(tag);
      if (!list) groups.set(tag, (list = []));
      list.push(id);
    }
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : collator.compare(a, b)));
  return keys.flatMap((tag): FleetItem[] => {
    const members = groups.get(tag)!;
    const prefix = tag === null ? '-' : `#${tag}`;
    return [
      { kind: 'group', key: `g${prefix}`, tag, count: members.length },
      ...members.map((id): FleetItem => ({ kind: 'server', key: `${prefix}/${id}`, id })),
    ];
  });
}
