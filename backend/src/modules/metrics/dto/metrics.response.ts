export class LatestMetricsResponse {
  serverId: string;
  timestamp: string;
  /** The full sample as the agent sent it (see the `metrics` frame in the wire contract). */
  sample: Record<string, unknown>;
}

export class HistoryPointResponse {
  /** Bucket start. */
  timestamp: string;
  /** Bucket averages, rounded to 0.01; null where no sample fell in the bucket (a gap). */
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
  load1Max: number | null;
  netRxBpsMax: number | null;
  netTxBpsMax: number | null;
}

export class HistoryResponse {
  serverId: string;
  start: string;
  end: string;
  /** Bucket width, e.g. "12s" or "5m". */
  resolution: string;
  /** The stored tier that answered: `raw` samples, `1m` or `1h` rollups (the not yet rolled-up tail comes from the finer tier). */
  source: 'raw' | '1m' | '1h';
  points: HistoryPointResponse[];
}
