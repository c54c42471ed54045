import { isVirtualInterface, MAX_HISTORY_SERIES_PER_KIND } from '@chatops/protocol';
import type { HistorySeries, HistorySeriesKind, MetricsSample } from '@chatops/protocol';
import { sliceRows } from './slice-rows';

/**
 * Per-interface network, per-mount disk usage and disk I/O: what a sample keeps of them (a short
 * json text, see migration DetailSeries), and the SQL that rolls them up and reads them back.
 *
 * Keys: `n:<iface>` → [rxBps, txBps], `m:<mount>` → [percent], `io` → [readBps, writeBps].
 * Every series has at most two values, `a` and `b`, so one statement aggregates all kinds.
 */

/** Interfaces kept per sample: real NICs are few; the agent may send up to 256. */
export const MAX_DETAIL_IFACES = 8;
/** Mounts kept per sample (the largest ones). */
export const MAX_DETAIL_MOUNTS = 8;
/** Longer mount paths are not kept (the column holds 140 characters with the prefix). */
const MAX_KEY_CHARS = 128;
/** Series of one kind in a history answer (interfaces renamed over 30 days add up). */
export const MAX_SERIES_PER_KIND = MAX_HISTORY_SERIES_PER_KIND;

export { isVirtualInterface };

const KIND_PREFIX: Record<HistorySeriesKind, string> = { network: 'n', mounts: 'm', diskio: 'io' };

/** The sample's detail series as json text; null when it has none. Values rounded (B/s to 1, % to 0.1). */
export function detailOf(s: MetricsSample): string | null {
  const d: Record<string, number[]> = {};
  const ifaces = s.network
    .filter((n) => !isVirtualInterface(n.iface) && n.iface.length <= MAX_KEY_CHARS)
    .sort((x, y) => (x.iface < y.iface ? -1 : x.iface > y.iface ? 1 : 0))
    .slice(0, MAX_DETAIL_IFACES);
  for (const n of ifaces) d[`n:${n.iface}`] = [Math.round(n.rxBps), Math.round(n.txBps)];
  const mounts = s.disks.filter((m) => m.mount.length <= MAX_KEY_CHARS).sort((x, y) => y.totalBytes - x.totalBytes).slice(0, MAX_DETAIL_MOUNTS);
  for (const m of mounts) d[`m:${m.mount}`] = [Math.round(m.percent * 10) / 10];
  if (s.diskIo) d.io = [Math.round(s.diskIo.readBps), Math.round(s.diskIo.writeBps)];
  for (const _ in d) return JSON.stringify(d);
  return null;
}

/** An element of a PostgreSQL array literal, quoted (json text has commas, quotes, braces). */
export function quoteArrayElement(v: string | null): string {
  return v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const ORIGIN = `TIMESTAMPTZ '2000-01-01 00:00:00+00'`;
const UPSERT = `ON CONFLICT (server_id, bucket, series) DO UPDATE SET n = EXCLUDED.n, a_avg = EXCLUDED.a_avg, a_max = EXCLUDED.a_max, b_avg = EXCLUDED.b_avg, b_max = EXCLUDED.b_max`;
const RAW_AGG = `count(*), avg((e.value->>0)::float8), max((e.value->>0)::float8), avg((e.value->>1)::float8), max((e.value->>1)::float8)`;
const ROLLUP_AGG = `sum(r.n), sum(r.a_avg::float8 * r.n) / sum(r.n), max(r.a_max), sum(r.b_avg::float8 * r.n) / sum(r.n), max(r.b_max)`;

/** Minutes [$1, $2) of servers $3 from raw samples (the rollup job's window, one slice of servers). */
export const DETAIL_MINUTES = `
  INSERT INTO metric_detail_1m (server_id, bucket, series, n, a_avg, a_max, b_avg, b_max)
  SELECT s.server_id, date_bin('1 minute', s.ts, ${ORIGIN}), e.key, ${RAW_AGG}
  FROM ${sliceRows('metric_samples', 'ts', 'x.server_id, x.ts, x.detail', '$3', { where: 'AND x.detail IS NOT NULL' })}
  CROSS JOIN LATERAL json_each(s.detail) e
  GROUP BY 1, 2, 3 ${UPSERT}`;

/** Hours [$1, $2) of servers $3 from minutes. */
export const DETAIL_HOURS = `
  INSERT INTO metric_detail_1h (server_id, bucket, series, n, a_avg, a_max, b_avg, b_max)
  SELECT r.server_id, date_bin('1 hour', r.bucket, ${ORIGIN}), r.series, ${ROLLUP_AGG}
  FROM ${sliceRows('metric_detail_1m', 'bucket', 'x.server_id, x.bucket, x.series, x.n, x.a_avg, x.a_max, x.b_avg, x.b_max', '$3', { alias: 'r' })}
  GROUP BY 1, 2, 3 ${UPSERT}`;

/** Dirty minutes ($1 servers, $2 buckets) again from raw samples. */
export const DETAIL_DIRTY_MINUTES = `
  INSERT INTO metric_detail_1m (server_id, bucket, series, n, a_avg, a_max, b_avg, b_max)
  SELECT s.server_id, d.bucket, e.key, ${RAW_AGG}
  FROM unnest($1::uuid[], $2::timestamptz[]) AS d(server_id, bucket)
  JOIN metric_samples s ON s.server_id = d.server_id AND s.ts >= d.bucket AND s.ts < d.bucket + interval '1 minute'
  CROSS JOIN LATERAL json_each(s.detail) e
  GROUP BY s.server_id, d.bucket, e.key ${UPSERT}`;

/** The hours of dirty minutes ($1 servers, $2 buckets) again from minutes, below the hour watermark. */
export const DETAIL_DIRTY_HOURS = `
  INSERT INTO metric_detail_1h (server_id, bucket, series, n, a_avg, a_max, b_avg, b_max)
  SELECT r.server_id, h.bucket, r.series, ${ROLLUP_AGG}
  FROM (SELECT DISTINCT server_id, date_bin('1 hour', bucket, ${ORIGIN}) AS bucket
        FROM unnest($1::uuid[], $2::timestamptz[]) AS d(server_id, bucket)) h
  JOIN metric_detail_1m r ON r.server_id = h.server_id AND r.bucket >= h.bucket AND r.bucket < h.bucket + interval '1 hour'
  WHERE h.bucket < (SELECT watermark FROM rollup_watermarks WHERE tier = '1h')
  GROUP BY r.server_id, h.bucket, r.series ${UPSERT}`;

/* History: $1 server, $2 start, $3 end, $4 bucket interval, $5 key prefixes ('n', 'm', 'io'). */
const RAW_PART = (lo: string, hi: string) => `
  SELECT date_bin($4::interval, s.ts, $2::timestamptz) AS fb, e.key AS series, count(*)::float8 AS n,
         sum((e.value->>0)::float8) AS a_s, max((e.value->>0)::float8) AS a_max,
         sum((e.value->>1)::float8) AS b_s, max((e.value->>1)::float8) AS b_max, count(e.value->>1)::float8 AS b_n
  FROM metric_samples s CROSS JOIN LATERAL json_each(s.detail) e
  WHERE s.server_id = $1 AND s.ts >= ${lo} AND s.ts < ${hi} AND s.detail IS NOT NULL AND split_part(e.key, ':', 1) = ANY($5::text[])
  GROUP BY 1, 2`;
const ROLLUP_PART = (table: string, lo: string, hi: string) => `
  SELECT date_bin($4::interval, bucket, $2::timestamptz), series, sum(n)::float8,
         sum(a_avg::float8 * n), max(a_max), sum(b_avg::float8 * n), max(b_max), sum(CASE WHEN b_avg IS NULL THEN 0 ELSE n END)::float8
  FROM ${table} WHERE server_id = $1 AND bucket >= ${lo} AND bucket < ${hi} AND split_part(series, ':', 1) = ANY($5::text[])
  GROUP BY 1, 2`;

const WM_1M = `COALESCE((SELECT watermark FROM rollup_watermarks WHERE tier = '1m'), $2::timestamptz)`;
const WM_1H = `COALESCE((SELECT watermark FROM rollup_watermarks WHERE tier = '1h'), $2::timestamptz)`;

/** The same tier stitching as the fleet-wide history (rollups below their watermark, raw above). */
const SOURCES = {
  raw: RAW_PART('$2', '$3'),
  '1m': `${ROLLUP_PART('metric_detail_1m', '$2', `least($3::timestamptz, ${WM_1M})`)}
    UNION ALL ${RAW_PART(`greatest($2::timestamptz, ${WM_1M})`, '$3')}`,
  '1h': `${ROLLUP_PART('metric_detail_1h', '$2', `least($3::timestamptz, ${WM_1H})`)}
    UNION ALL ${ROLLUP_PART('metric_detail_1m', `greatest($2::timestamptz, ${WM_1H})`, `least($3::timestamptz, ${WM_1M})`)}
    UNION ALL ${RAW_PART(`greatest($2::timestamptz, ${WM_1H}, ${WM_1M})`, '$3')}`,
};

export const DETAIL_HISTORY_QUERIES = Object.fromEntries(
  Object.entries(SOURCES).map(([tier, source]) => [tier, `
    WITH src (fb, series, n, a_s, a_max, b_s, b_max, b_n) AS (${source})
    SELECT extract(epoch FROM fb - $2::timestamptz)::float8 AS k, series,
           sum(a_s) / sum(n) AS a, max(a_max) AS a_max, sum(b_s) / nullif(sum(b_n), 0) AS b, max(b_max) AS b_max
    FROM src GROUP BY fb, series HAVING sum(n) > 0`]),
) as Record<'raw' | '1m' | '1h', string>;

export type DetailRow = { k: number; series: string; a: number | null; a_max: number | null; b: number | null; b_max: number | null };

export function kindPrefixes(kinds: readonly HistorySeriesKind[]): string[] {
  return kinds.map((k) => KIND_PREFIX[k]);
}

/** Columns aligned with the response's points (`count` buckets, `bucketMs` wide); nulls where no sample. */
export function buildSeries(rows: DetailRow[], kinds: readonly HistorySeriesKind[], count: number, bucketMs: number, round: (v: number | null) => number | null): HistorySeries {
  const cols = new Map<string, { a: (number | null)[]; aMax: (number | null)[]; b: (number | null)[]; bMax: (number | null)[] }>();
  const col = (key: string) => {
    let c = cols.get(key);
    if (!c) cols.set(key, (c = { a: new Array(count).fill(null), aMax: new Array(count).fill(null), b: new Array(count).fill(null), bMax: new Array(count).fill(null) }));
    return c;
  };
  for (const r of rows) {
    const i = Math.round((r.k * 1000) / bucketMs);
    if (i < 0 || i >= count) continue;
    const c = col(r.series);
    c.a[i] = round(r.a);
    c.aMax[i] = round(r.a_max);
    c.b[i] = round(r.b);
    c.bMax[i] = round(r.b_max);
  }
  const named = (prefix: string) =>
    [...cols.keys()].filter((k) => k.startsWith(prefix)).sort().slice(0, MAX_SERIES_PER_KIND).map((k) => [k.slice(prefix.length), cols.get(k)!] as const);
  const out: HistorySeries = {};
  if (kinds.includes('network')) out.network = named('n:').map(([iface, c]) => ({ iface, rxBps: c.a, txBps: c.b, rxBpsMax: c.aMax, txBpsMax: c.bMax }));
  if (kinds.includes('mounts')) out.mounts = named('m:').map(([mount, c]) => ({ mount, percent: c.a, percentMax: c.aMax }));
  if (kinds.includes('diskio')) {
    const c = cols.get('io') ?? col('io');
    out.diskIo = { readBps: c.a, writeBps: c.b, readBpsMax: c.aMax, writeBpsMax: c.bMax };
  }
  return out;
}
