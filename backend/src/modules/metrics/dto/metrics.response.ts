export class LatestMetricsResponse {
  serverId: string;
  timestamp: string;
  /** The full sample as the agent sent it (see the `metrics` frame in the wire contract). */
  sample: Record<string, unknown>;
}

export class HistoryPointResponse {
  /** Bucket start. */
  timestamp: string;
  /** Bucket averages; null where no sample fell in the bucket (a gap). */
  cpuPercent: number | null;
  memoryPercent: number | null;
  diskPercent: number | null;
  swapPercent: number | null;
  load1: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  /** Bucket maxima. */
  cpuPercentMax: number | null;
  memoryPercentMax: number | null;
  netRxBpsMax: number | null;
  netTxBpsMax: number | null;
}

export class HistoryResponse {
  serverId: string;
  start: string;
  end: string;
  /** Bucket width, e.g. "12s" or "5m". */
  resolution: string;
  /** Which stored series answered: raw samples here (rollups come with the history tiers). */
  source: string;
  points: HistoryPointResponse[];
}
