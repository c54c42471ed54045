import type { MetricsHistory, SeriesColumn } from '@chatops/protocol';
import { DEFAULT_INTERVAL_MS, SeriesPoint, parseResolution, withGaps } from './metrics-series';

/**
 * The history's per-interface network, per-mount disk usage and disk I/O series as chart lines
 * (`series=network,mounts,diskio`, asked for with the page's one history request). They are drawn
 * from the history only: a live sample does not carry them into the charts until the next load.
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
