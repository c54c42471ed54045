/** Metrics REST shapes (docs/api.md "Metrics"); the backend's response classes implement these. */
import type { MetricsSample, ProcessSummary } from './agent-frames';

/** `GET /metrics/{serverId}` (alias `/latest`). */
export interface LatestMetrics {
  serverId: string;
  timestamp: string;
  /** The full sample as the agent sent it. */
  sample: MetricsSample;
  /**
   * The last process list received, with the time of its sample: agents send processes with one
   * sample in six, so the newest sample often has none. Held in memory (absent after a restart
   * until the next list arrives).
   */
  processes?: { timestamp: string; list: ProcessSummary[] };
}

/** Bucket averages (rounded to 0.01) and maxima; null where no sample fell in the bucket. */
export interface HistoryPoint {
  /** Bucket start. */
  timestamp: string;
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  swapPercent: number | null;
  load1: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  cpuPercentMax: number | null;
  memoryPercentMax: number | null;
  load1Max: number | null;
  netRxBpsMax: number | null;
  netTxBpsMax: number | null;
}

/**
 * Virtual interfaces: container veths and bridges, VM taps, overlay, CNI and traffic-shaping (ifb)
 * devices. Their bytes are the NIC's counted again: the per-interface history does not keep them
 * (the agent already skips `lo`), and the dashboard's live points skip them the same way.
 */
const VIRTUAL_IFACE = /^(lo|ifb|veth|docker\d|br-|virbr|vnet|tap|tun|cni|flannel|cali|vxlan|weave|kube-|cilium|podman)/;

export function isVirtualInterface(name: string): boolean {
  return VIRTUAL_IFACE.test(name);
}

/** Interfaces, and mounts, of one kind in a history answer at most. */
export const MAX_HISTORY_SERIES_PER_KIND = 16;

/** What `GET /metrics/{serverId}/history?series=` can add to the answer (comma-separated). */
export const HISTORY_SERIES_KINDS = ['network', 'mounts', 'diskio'] as const;
export type HistorySeriesKind = (typeof HISTORY_SERIES_KINDS)[number];

/** One value per point of the answer (same index), rounded like the points; null = no sample there. */
export type SeriesColumn = (number | null)[];

/**
 * Per-interface network, per-mount disk usage and disk I/O, present only for the kinds asked for
 * with `series=`. Interfaces and mounts sorted by name, at most 16 of each; virtual interfaces
 * (veth, bridges, taps, overlays) are not kept.
 */
export interface HistorySeries {
  network?: { iface: string; rxBps: SeriesColumn; txBps: SeriesColumn; rxBpsMax: SeriesColumn; txBpsMax: SeriesColumn }[];
  mounts?: { mount: string; percent: SeriesColumn; percentMax: SeriesColumn }[];
  diskIo?: { readBps: SeriesColumn; writeBps: SeriesColumn; readBpsMax: SeriesColumn; writeBpsMax: SeriesColumn };
}

export const HISTORY_SOURCES = ['raw', '1m', '1h'] as const;
export type HistorySource = (typeof HISTORY_SOURCES)[number];

/** `GET /metrics/{serverId}/history`. */
export interface MetricsHistory {
  serverId: string;
  start: string;
  end: string;
  /** Bucket width, e.g. "12s" or "5m". */
  resolution: string;
  /** The stored tier that answered (the not yet rolled-up tail comes from the finer tier). */
  source: HistorySource;
  points: HistoryPoint[];
  /** Only with `series=`: columns aligned with `points`. */
  series?: HistorySeries;
}
