import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors';
import { HistoryPointResponse, HistoryResponse } from './dto/metrics.response';

const MAX_RANGE_MS = 2 * 366 * 86_400_000;
const MIN_BUCKET_SEC = 1;

export interface HistoryRange { start: Date; end: Date; points: number; bucketSec: number }

/** Resolves the query defaults and the bucket width: at most `points` buckets over [start, end). */
export function resolveRange(q: { start?: string; end?: string; points?: number }, now = new Date()): HistoryRange {
  const end = q.end ? new Date(q.end) : now;
  const start = q.start ? new Date(q.start) : new Date(end.getTime() - 3_600_000);
  const points = q.points ?? 300;
  const span = end.getTime() - start.getTime();
  if (!(span > 0)) throw new AppError(400, 'metrics.bad_range', 'start must be before end');
  if (span > MAX_RANGE_MS) throw new AppError(400, 'metrics.bad_range', 'the range may span at most two years');
  const bucketSec = Math.max(MIN_BUCKET_SEC, Math.ceil(span / 1000 / points));
  return { start, end, points, bucketSec };
}

export function formatResolution(sec: number): string {
  if (sec % 86_400 === 0) return `${sec / 86_400}d`;
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  return `${sec}s`;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

@Injectable()
export class MetricsHistoryService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Bucket averages and maxima; buckets without samples are present with nulls (gaps). */
  async history(serverId: string, q: { start?: string; end?: string; points?: number }): Promise<HistoryResponse> {
    const r = resolveRange(q);
    const bucket = `${r.bucketSec} seconds`;
    const rows: Record<string, unknown>[] = await this.db.query(
      `WITH b AS (
         SELECT date_bin($4::interval, ts, $2::timestamptz) AS bucket,
                avg(cpu) AS cpu, max(cpu) AS cpu_max, avg(mem) AS mem, max(mem) AS mem_max,
                avg(disk) AS disk, avg(swap) AS swap, avg(load1) AS load1,
                avg(net_rx) AS rx, max(net_rx) AS rx_max, avg(net_tx) AS tx, max(net_tx) AS tx_max
         FROM metric_samples
         WHERE server_id = $1 AND ts >= $2 AND ts < $3
         GROUP BY 1)
       SELECT g AS bucket, b.cpu, b.cpu_max, b.mem, b.mem_max, b.disk, b.swap, b.load1, b.rx, b.rx_max, b.tx, b.tx_max
       FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', $4::interval) AS g
       LEFT JOIN b ON b.bucket = g
       ORDER BY g`,
      [serverId, r.start.toISOString(), r.end.toISOString(), bucket],
    );
    const points: HistoryPointResponse[] = rows.map((row) => ({
      timestamp: (row.bucket as Date).toISOString(),
      cpuPercent: num(row.cpu),
      memoryPercent: num(row.mem),
      diskPercent: num(row.disk),
      swapPercent: num(row.swap),
      load1: num(row.load1),
      netRxBps: num(row.rx),
      netTxBps: num(row.tx),
      cpuPercentMax: num(row.cpu_max),
      memoryPercentMax: num(row.mem_max),
      netRxBpsMax: num(row.rx_max),
      netTxBpsMax: num(row.tx_max),
    }));
    return {
      serverId,
      start: r.start.toISOString(),
      end: r.end.toISOString(),
      resolution: formatResolution(r.bucketSec),
      source: 'raw',
      points,
    };
  }
}
