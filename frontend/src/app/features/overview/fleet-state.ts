import type { FleetSummary, Server, ServerStatus, ServerStatusEvent } from '@chatops/protocol';

/** How many fleet_summary values each card's sparkline keeps. */
export const SPARK_POINTS = 30;

/** A sparkline's first points come from this much history: SPARK_POINTS samples at the agent's default 5 s. */
export const SPARK_SEED_MS = SPARK_POINTS * 5_000;
/** Cards seeded from history on each visit (about the first screenful, in the order shown); the rest fill live. */
export const SPARK_SEED_CARDS = 24;

/** The cards worth seeding: the first ones shown whose server reported within the seed window. */
export function cardsToSeed(cards: FleetCard[], now = Date.now()): FleetCard[] {
  return cards.filter((c) => c.lastSeen && now - Date.parse(c.lastSeen) < SPARK_SEED_MS).slice(0, SPARK_SEED_CARDS);
}

/** History values (oldest first, gaps skipped) before the live ones already in the sparkline. */
export function seedTrend(card: FleetCard, history: (number | null)[]): FleetCard {
  const past = history.filter((v): v is number => v != null);
  return { ...card, cpuTrend: [...past, ...card.cpuTrend].slice(-SPARK_POINTS) };
}

/** A server card's view model: REST data merged with the latest live events. */
export interface FleetCard {
  server: Server;
  status: ServerStatus;
  lastSeen: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  openAlerts: number;
  cpuTrend: number[];
  /** From the newest sample's containers (fleet_summary); null: the server reports no container list (no Docker). */
  containersRunning: number | null;
  containersTotal: number | null;
  containersUnhealthy: number | null;
}

export function cardFromServer(server: Server): FleetCard {
  return {
    server, status: server.status, lastSeen: server.lastSeen,
    cpuPercent: null, memoryPercent: null, diskPercent: null, openAlerts: 0, cpuTrend: [],
    containersRunning: null, containersTotal: null, containersUnhealthy: null,
  };
}

export function applySummary(card: FleetCard, s: FleetSummary): FleetCard {
  const cpuTrend = s.cpuPercent == null ? card.cpuTrend : [...card.cpuTrend, s.cpuPercent].slice(-SPARK_POINTS);
  return {
    ...card,
    status: s.status,
    lastSeen: s.lastSeen ?? card.lastSeen,
    cpuPercent: s.cpuPercent,
    memoryPercent: s.memoryPercent,
    diskPercent: s.diskPercent,
    openAlerts: s.openAlerts ?? card.openAlerts,
    cpuTrend,
    // Absent (an older backend) keeps what the card had; null means no container list.
    containersRunning: s.containersRunning !== undefined ? s.containersRunning : card.containersRunning,
    containersTotal: s.containersTotal !== undefined ? s.containersTotal : card.containersTotal,
    containersUnhealthy: s.containersUnhealthy !== undefined ? s.containersUnhealthy : card.containersUnhealthy,
  };
}

/** What a card flags about its containers: some not running (stopped, paused, …), some unhealthy. */
export function containerFlags(card: FleetCard): { notRunning: number; unhealthy: number } {
  const total = card.containersTotal ?? 0, running = card.containersRunning ?? 0;
  return { notRunning: Math.max(0, total - running), unhealthy: card.containersUnhealthy ?? 0 };
}

export function applyStatus(card: FleetCard, e: ServerStatusEvent): FleetCard {
  return { ...card, status: e.status, lastSeen: e.lastSeen ?? card.lastSeen };
}

export type SortKey = 'name' | 'status' | 'lastSeen';
export type StatusFilter = 'all' | ServerStatus;
const STATUS_ORDER: Record<ServerStatus, number> = { offline: 0, unknown: 1, online: 2 };

const byName = (a: FleetCard, b: FleetCard) => a.server.name.localeCompare(b.server.name);
const COMPARE: Record<SortKey, (a: FleetCard, b: FleetCard) => number> = {
  name: byName,
  // Problems first: offline, unknown, then online.
  status: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || byName(a, b),
  // Most recently seen first; never-seen last.
  lastSeen: (a, b) => (Date.parse(b.lastSeen ?? '') || 0) - (Date.parse(a.lastSeen ?? '') || 0) || byName(a, b),
};

/**
 * Each card's place in `sort` order now. The overview sorts with this snapshot between re-sorts
 * (see {@link visibleCards}), so cards do not move under the user on every sample.
 */
export function rankCards(cards: FleetCard[], sort: SortKey): Map<string, number> {
  return new Map([...cards].sort(COMPARE[sort]).map((c, i) => [c.server.id, i]));
}

/**
 * The cards that match the search and status filter, in `sort` order; with a `rank` snapshot, in
 * that order instead (cards it does not know yet after the others, by name).
 */
export function visibleCards(cards: FleetCard[], query: string, status: StatusFilter, sort: SortKey, rank?: Map<string, number>): FleetCard[] {
  const q = query.trim().toLowerCase();
  const filtered = cards.filter(
    (c) =>
      (status === 'all' || c.status === status) &&
      (!q || c.server.name.toLowerCase().includes(q) || (c.server.host ?? '').toLowerCase().includes(q)),
  );
  if (!rank) return filtered.sort(COMPARE[sort]);
  const place = (c: FleetCard) => rank.get(c.server.id) ?? Number.MAX_SAFE_INTEGER;
  return filtered.sort((a, b) => place(a) - place(b) || byName(a, b));
}
