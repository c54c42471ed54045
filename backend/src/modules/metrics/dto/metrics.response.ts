import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { HistoryPoint, HistorySeries, HistorySource, LatestMetrics, MetricsHistory, MetricsSample, ProcessSummary } from '@chatops/protocol';

/** Implements the protocol's shape: a drift between the OpenAPI schema and the wire type fails to compile. */
export class LatestMetricsResponse implements LatestMetrics {
  serverId: string;
  timestamp: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The full sample as the agent sent it (see the `metrics` frame in the wire contract).' })
  sample: MetricsSample;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The last process list received `{timestamp, list}` (agents send processes with one sample in six); absent until one arrived since the backend started.',
  })
  processes?: { timestamp: string; list: ProcessSummary[] };
}

export class HistoryPointResponse implements HistoryPoint {
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

export class HistoryResponse implements MetricsHistory {
  serverId: string;
  start: string;
  end: string;
  /** Bucket width, e.g. "12s" or "5m". */
  resolution: string;
  /** The stored tier that answered: `raw` samples, `1m` or `1h` rollups (the not yet rolled-up tail comes from the finer tier). */
  source: HistorySource;
  points: HistoryPointResponse[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Only with `series=`: `{network?: [{iface, rxBps[], txBps[], rxBpsMax[], txBpsMax[]}], mounts?: [{mount, percent[], percentMax[]}], diskIo?: {readBps[], writeBps[], readBpsMax[], writeBpsMax[]}}`, each array aligned with `points` (null = no sample).',
  })
  series?: HistorySeries;
}
