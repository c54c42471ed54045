import { MAX_HISTORY_SERIES_PER_KIND, isVirtualInterface } from '@chatops/protocol';
import type { MetricsHistory, MetricsSample, SeriesColumn } from '@chatops/protocol';
import { DEFAULT_INTERVAL_MS, MetricSeries, SeriesPoint, appendPoint, liveStep, parseResolution, withGaps } from './metrics-series';

/**
 * The history's per-interface network, per-mount disk usage and disk I/O series as chart lines
 * (`series=network,mounts,diskio`, asked for with the page's one history request), extended by live
 * samples like the fleet-wide series (see {@link appendDetail}).
 */
export interface DetailSeries {
  network: { iface: string; rx: SeriesPoint[]; tx: SeriesPoint[] }[];
  mounts: { mount: string; percent: SeriesPoint[] }[];
  read: SeriesPoint[];
  write: SeriesPoint[];
}

export function emptyDetail(): DetailSeries {
  return { network: [], mounts: [], read: [], write: [] };
}

/** Lines with gaps where the data stops (as {@link withGaps} does for the fleet-wide series). */
export function detailFromHistory(h: Pick<MetricsHistory, 'points' | 'resolution' | 'series'>, intervalMs = DEFAULT_INTERVAL_MS): DetailSeries {
  const points = h.points ?? [];
  const times = points.map((p) => Date.parse(p.timestamp));
  const stepMs = parseResolution(h.resolution) || (times.length > 1 ? times[1] - times[0] : intervalMs);
  const line = (col: SeriesColumn | undefined) => (col ? withGaps(times.map((t, i): SeriesPoint => [t, col[i] ?? null]), stepMs, intervalMs) : []);
  const s = h.series ?? {};
  return {
    network: (s.network ?? []).map((n) => ({ iface: n.iface, rx: line(n.rxBps), tx: line(n.txBps) })),
    mounts: (s.mounts ?? []).map((m) => ({ mount: m.mount, percent: line(m.percent) })),
    read: line(s.diskIo?.readBps),
    write: line(s.diskIo?.writeBps),
  };
}

/**
 * Adds one live sample, at the step the fleet-wide series take for it (`before`: those series
 * before this sample was added to them): an interface or mount the sample lacks gets a null (its
 * line breaks where it stops reporting), a new one a new line after the others (virtual interfaces
 * skipped, at most as many lines as a history answer has).
 */
export function appendDetail(detail: DetailSeries, before: MetricSeries, sample: MetricsSample, rangeMs: number, now = Date.now()): DetailSeries {
  const step = liveStep(before, sample, rangeMs, now);
  if (!step) return detail;
  const add = (arr: SeriesPoint[], v: number | null | undefined) => appendPoint(arr, v ?? null, step);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  const nics = new Map(sample.network.filter((n) => !isVirtualInterface(n.iface)).map((n) => [n.iface, n]));
  const network = detail.network.map((n) => ({ iface: n.iface, rx: add(n.rx, nics.get(n.iface)?.rxBps), tx: add(n.tx, nics.get(n.iface)?.txBps) }));
  const fresh = [...nics.values()].filter((n) => !detail.network.some((d) => d.iface === n.iface));
  for (const n of fresh.sort((a, b) => cmp(a.iface, b.iface))) {
    if (network.length >= MAX_HISTORY_SERIES_PER_KIND) break;
    network.push({ iface: n.iface, rx: add([], n.rxBps), tx: add([], n.txBps) });
  }

  const disks = new Map(sample.disks.map((d) => [d.mount, d]));
  const mounts = detail.mounts.map((m) => ({ mount: m.mount, percent: add(m.percent, disks.get(m.mount)?.percent) }));
  const newMounts = [...disks.values()].filter((d) => !detail.mounts.some((m) => m.mount === d.mount));
  for (const d of newMounts.sort((a, b) => cmp(a.mount, b.mount))) {
    if (mounts.length >= MAX_HISTORY_SERIES_PER_KIND) break;
    mounts.push({ mount: d.mount, percent: add([], d.percent) });
  }
  // New lines go last: the lines already drawn keep their place, and so their colour.
  return {
    network,
    mounts,
    read: add(detail.read, sample.diskIo?.readBps),
    write: add(detail.write, sample.diskIo?.writeBps),
  };
}

/** One line of a chart whose lines come with the data (interfaces and mounts vary per server). */
export interface NamedLine {
  name: string;
  points: SeriesPoint[];
  /** Index into the palette: an interface's received and sent lines share a colour. */
  color: number;
  dashed: boolean;
}

/** "eth0 received" (solid) and "eth0 sent" (dashed) per interface, one colour each. */
export function networkLines(d: DetailSeries): NamedLine[] {
  return d.network.flatMap((n, i) => [
    { name: `${n.iface} received`, points: n.rx, color: i, dashed: false },
    { name: `${n.iface} sent`, points: n.tx, color: i, dashed: true },
  ]);
}

export function mountLines(d: DetailSeries): NamedLine[] {
  return d.mounts.map((m, i) => ({ name: m.mount, points: m.percent, color: i, dashed: false }));
}
