import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { HistoryPointResponse, HistoryResponse } from './dto/metrics.response';
import type { HistorySeriesKind } from '@chatops/protocol';
import { buildSeries, DETAIL_HISTORY_QUERIES, DetailRow, kindPrefixes } from './detail-series';
import { formatResolution, HistoryTier, planHistory } from './history-plan';

/**
 * Values are stored as float4 (≈ 7 significant digits) and averaged in float8: 0.01 is finer than
 * any chart draws and keeps a 300-point response at half the bytes of the full float text.
 */
const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);

/** Per response bucket: sums and counts, so raw rows and rollups of any tier combine exactly. */
const RAW_PART = (lo: string, hi: string) => `
  SELECT date_bin($4::interval, ts, $2::timestamptz) AS fb, count(*)::float8 AS n,
         sum(cpu::float8) AS cpu_s, max(cpu) AS cpu_max, sum(mem::float8) AS mem_s, max(mem) AS mem_max,
         sum(swap::float8) AS swap_s, count(swap)::float8 AS swap_n, sum(disk::float8) AS disk_s, count(disk)::float8 AS disk_n,
         sum(load1::float8) AS load_s, max(load1) AS load_max,
         sum(net_rx::float8) AS rx_s, max(net_rx) AS rx_max, count(net_rx)::float8 AS rx_n,
         sum(net_tx::float8) AS tx_s, max(net_tx) AS tx_max, count(net_tx)::float8 AS tx_n
  FROM metric_samples WHERE server_id = $1 AND ts >= ${lo} AND ts < ${hi} GROUP BY 1`;

const ROLLUP_PART = (table: string, lo: string, hi: string) => `
  SELECT date_bin($4::interval, bucket, $2::timestamptz) AS fb, sum(samples)::float8,
         sum(cpu_avg::float8 * samples), max(cpu_max), sum(mem_avg::float8 * samples), max(mem_max),
         sum(swap_avg::float8 * swap_n), sum(swap_n)::float8, sum(disk_avg::float8 * disk_n), sum(disk_n)::float8,
         sum(load1_avg::float8 * samples), max(load1_max),
         sum(rx_avg::float8 * rx_n), max(rx_max), sum(rx_n)::float8,
         sum(tx_avg::float8 * tx_n), max(tx_max), sum(tx_n)::float8
  FROM ${table} WHERE server_id = $1 AND bucket >= ${lo} AND bucket < ${hi} GROUP BY 1`;

// $2 start, $3 end; watermarks: everything before them is rolled up in that tier.
const WM_1M = `COALESCE((SELECT watermark FROM rollup_watermarks WHERE tier = '1m'), $2::timestamptz)`;
const WM_1H = `COALESCE((SELECT watermark FROM rollup_watermarks WHERE tier = '1h'), $2::timestamptz)`;

const SOURCES = {
  raw: RAW_PART('$2', '$3'),
  // rolled-up minutes, then the raw tail the job has not reached yet
  '1m': `${ROLLUP_PART('metric_rollup_1m', '$2', `least($3::timestamptz, ${WM_1M})`)}
    UNION ALL ${RAW_PART(`greatest($2::timestamptz, ${WM_1M})`, '$3')}`,
  '1h': `${ROLLUP_PART('metric_rollup_1h', '$2', `least($3::timestamptz, ${WM_1H})`)}
    UNION ALL ${ROLLUP_PART('metric_rollup_1m', `greatest($2::timestamptz, ${WM_1H})`, `least($3::timestamptz, ${WM_1M})`)}
    UNION ALL ${RAW_PART(`greatest($2::timestamptz, ${WM_1H}, ${WM_1M})`, '$3')}`,
};

/**
 * One statement per tier: only buckets holding samples come back, keyed by their offset in
 * seconds from the start; the empty ones are filled in by the caller (no generate_series join,
 * no timestamp parsing per row).
 */
const QUERIES = Object.fromEntries(
  Object.entries(SOURCES).map(([tier, source]) => [tier, `
    WITH src (fb, n, cpu_s, cpu_max, mem_s, mem_max, swap_s, swap_n, disk_s, disk_n, load_s, load_max, rx_s, rx_max, rx_n, tx_s, tx_max, tx_n) AS (
      ${source}
    )
    SELECT extract(epoch FROM fb - $2::timestamptz)::float8 AS k,
           sum(cpu_s) / sum(n) AS cpu, max(cpu_max) AS cpu_max, sum(mem_s) / sum(n) AS mem, max(mem_max) AS mem_max,
           sum(swap_s) / nullif(sum(swap_n), 0) AS swap, sum(disk_s) / nullif(sum(disk_n), 0) AS disk,
           sum(load_s) / sum(n) AS load1, max(load_max) AS load1_max,
           sum(rx_s) / nullif(sum(rx_n), 0) AS rx, max(rx_max) AS rx_max,
           sum(tx_s) / nullif(sum(tx_n), 0) AS tx, max(tx_max) AS tx_max
    FROM src GROUP BY fb HAVING sum(n) > 0`]),
) as Record<HistoryTier, string>;

type BucketRow = Record<'k' | 'cpu' | 'cpu_max' | 'mem' | 'mem_max' | 'swap' | 'disk' | 'load1' | 'load1_max' | 'rx' | 'rx_max' | 'tx' | 'tx_max', number | null>;

@Injectable()
export class MetricsHistoryService {
  /**
   * History runs as named prepared statements on the driver's pool (TypeORM's query() sends
   * unnamed ones): each connection parses and plans a tier's statement once, which saves
   * 0.5–2 ms of planning per request on the rollup tiers (measured here).
   */
  private readonly pool: Pool;

  constructor(@InjectDataSource() db: DataSource, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = (db.driver as PostgresDriver).master as Pool;
  }

  /**
   * Bucket averages and maxima from the tier that fits the range (see planHistory); buckets
   * without samples are present with nulls, so charts show gaps as gaps. `intervalSec` is the
   * agent's sample interval: no bucket is narrower (an empty bucket is then a missed sample).
   */
  async history(serverId: string, q: { start?: string; end?: string; points?: number; series?: string }, intervalSec?: number): Promise<HistoryResponse> {
    const plan = planHistory(q, this.config.retention, new Date(), intervalSec);
    const startMs = plan.start.getTime();
    const bucketMs = plan.bucketSec * 1000;
    const values = [serverId, plan.start.toISOString(), plan.end.toISOString(), `${plan.bucketSec} seconds`];
    const kinds = q.series ? ([...new Set(q.series.split(','))] as HistorySeriesKind[]) : [];
    // The detail series only when asked for (a separate statement, run beside the main one).
    const [{ rows }, detail] = await Promise.all([
      this.pool.query<BucketRow>({ name: `metrics_history_${plan.tier}`, text: QUERIES[plan.tier], values }),
      kinds.length
        ? this.pool.query<DetailRow>({ name: `metrics_detail_${plan.tier}`, text: DETAIL_HISTORY_QUERIES[plan.tier], values: [...values, kindPrefixes(kinds)] })
        : null,
    ]);
    const count = Math.ceil((plan.end.getTime() - startMs) / bucketMs);
    const byBucket: (BucketRow | undefined)[] = new Array(count);
    for (const row of rows) byBucket[Math.round(((row.k as number) * 1000) / bucketMs)] = row;
    const points: HistoryPointResponse[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const row = byBucket[i];
      points[i] = {
        timestamp: new Date(startMs + i * bucketMs).toISOString(),
        cpuPercent: num(row?.cpu),
        memoryPercent: num(row?.mem),
        diskPercent: num(row?.disk),
        swapPercent: num(row?.swap),
        load1: num(row?.load1),
        netRxBps: num(row?.rx),
        netTxBps: num(row?.tx),
        cpuPercentMax: num(row?.cpu_max),
        memoryPercentMax: num(row?.mem_max),
        load1Max: num(row?.load1_max),
        netRxBpsMax: num(row?.rx_max),
        netTxBpsMax: num(row?.tx_max),
      };
    }
    return {
      serverId,
      start: plan.start.toISOString(),
      end: plan.end.toISOString(),
      resolution: formatResolution(plan.bucketSec),
      source: plan.tier,
      points,
      ...(detail ? { series: buildSeries(detail.rows, kinds, count, bucketMs, num) } : {}),
    };
  }
}
