import type { FleetSummary, Server, ServerStatus, ServerStatusEvent } from '@chatops/protocol';
import { levelOf, type Level, type Thresholds } from '../../shared/thresholds/thresholds';

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
  /** 1-minute load average (null until a sample from a backend that sends it). */
  load1: number | null;
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
    cpuPercent: null, memoryPercent: null, diskPercent: null, load1: null, openAlerts: 0, cpuTrend: [],
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
    load1: s.load1 !== undefined ? s.load1 : card.load1,
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

/** Not online but showing values: they are the last ones received, not current. */
export function isStale(c: FleetCard): boolean {
  return c.status !== 'online' && (c.cpuPercent != null || c.memoryPercent != null || c.diskPercent != null);
}

export interface CardLevels { cpu: Level; memory: Level; disk: Level }
const ALL_OK: CardLevels = { cpu: 'ok', memory: 'ok', disk: 'ok' };
/** Threshold levels of the current values (none for stale ones: they are not a current state). */
export function cardLevels(c: FleetCard, t: Thresholds): CardLevels {
  if (isStale(c)) return ALL_OK;
  return { cpu: levelOf(c.cpuPercent, t.cpu), memory: levelOf(c.memoryPercent, t.memory), disk: levelOf(c.diskPercent, t.disk) };
}
