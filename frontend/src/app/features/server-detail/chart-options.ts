import type { EChartsCoreOption } from 'echarts/core';
import { ValueKind, formatOnScale, maxOf, timeLabel, timeSplitNumber, timeTicks, valueScale } from './axis-scale';
import { formatBps, formatPercent } from '../../shared/format/format';
import type { Level } from '../../shared/thresholds/thresholds';
import type { NamedLine } from './detail-series';
import { SeriesPoint, isolatedIndexes } from './metrics-series';
import type { ThresholdLine } from './threshold-lines';

/** Where a line chart is: the range it shows (the x axis spans all of it) and its width in px. */
export interface ChartFrame {
  startMs: number;
  endMs: number;
  widthPx: number;
}

/** Id of the "drag to select a range" zoom every line chart has (the toolbox's select zoom). */
export const SELECT_ZOOM = 'select';

/**
 * The static part of a time-axis line chart (grid, tooltip, legend, select zoom) with empty series.
 * It is set once; the points, axes and scales arrive through {@link lineData}. Nulls stay gaps
 * (connectNulls: false). A second series is dashed and drawn above the first, so two equal
 * series (received = sent) are both visible.
 */
export function historyLineOption(seriesNames: string[], linesComeWithData = false): EChartsCoreOption {
  const multi = seriesNames.length > 1 || linesComeWithData;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 72, right: 16, top: multi ? 32 : 16, bottom: 28 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'line' } },
    // A chart of many lines (interfaces, mounts) scrolls its legend rather than wrapping it over the plot.
    legend: multi ? { top: 0, itemWidth: 24, ...(linesComeWithData ? { type: 'scroll' } : {}) } : undefined,
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', min: 0, axisLabel: { hideOverlap: true } },
    // Drag across a chart to pick a range (the page refetches it): the toolbox's select zoom,
    // its buttons hidden (the page has its own reset), switched on by the page on pointer devices.
    toolbox: {
      show: true,
      itemSize: 0,
      showTitle: false,
      feature: { dataZoom: { yAxisIndex: 'none', icon: { zoom: 'path://M0,0', back: 'path://M0,0' } } },
    },
    series: seriesNames.map((name, i) => ({
      name,
      type: 'line',
      // No symbol but on points with no neighbour (see lineData): a line of one point is invisible.
      symbol: 'none',
      showSymbol: true,
      connectNulls: false,
      sampling: 'lttb',
      z: 2 + i,
      data: [],
      lineStyle: { width: i ? 2 : 1.5, type: i ? 'dashed' : 'solid' },
      areaStyle: multi ? undefined : { opacity: 0.15 },
    })),
  };
}

/**
 * The points of a line chart, one array per series in the order of {@link historyLineOption}, and the
 * axes that fit them: the x axis spans the range with as many labels as fit the width, the y axis
 * has one unit chosen from the largest value. Merged with `setOption(data)` (not `notMerge`), which
 * replaces each series' data and axis settings and keeps the rest of the chart.
 */
export function lineData(kind: ValueKind, frame: ChartFrame, series: SeriesPoint[][], thresholds: readonly ThresholdLine[] = []): EChartsCoreOption {
  const scale = valueScale(kind, Math.max(maxOf(...series), ...thresholds.map((t) => t.value)));
  const span = frame.endMs - frame.startMs;
  const ticks = timeTicks(frame.startMs, frame.endMs, timeSplitNumber(frame.widthPx));
  return {
    xAxis: {
      min: frame.startMs,
      max: frame.endMs,
      axisTick: { customValues: ticks }, // the split lines follow the ticks
      axisLabel: { hideOverlap: true, customValues: ticks, formatter: (t: number) => timeLabel(t, span) },
    },
    yAxis: {
      min: 0,
      max: scale.max,
      interval: scale.interval,
      axisLabel: { hideOverlap: true, formatter: (v: number) => formatOnScale(scale, v) },
    },
    tooltip: { valueFormatter: (v: number | null) => (v == null ? 'no data' : formatOnScale(scale, v, 1)) },
    series: series.map((points, i) => ({
      data: withSymbols(points),
      // Alert rules' thresholds on the first series (an empty list clears the old ones in a merge).
      ...(i === 0 ? { markLine: { silent: true, symbol: 'none', animation: false, data: thresholds.map(markLineItem) } } : {}),
    })),
  };
}

/** ECharts' default palette: a chart whose lines come with the data picks each line's colour from it. */
const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];

/**
 * {@link lineData} for a chart whose lines are known only with the data (one per interface or
 * mount): the series are given whole, to be set with `replaceMerge: ['series']` so that lines of
 * the previous data go. One unit on the axis, from the largest value of every line; the legend
 * toggles lines (ECharts' legend), a dashed line is the second of a pair (sent, beside received).
 */
export function namedLinesData(kind: ValueKind, frame: ChartFrame, lines: readonly NamedLine[]): EChartsCoreOption {
  const base = lineData(kind, frame, lines.map((l) => l.points)) as { series: object[] } & EChartsCoreOption;
  return {
    ...base,
    legend: { data: lines.map((l) => l.name), type: 'scroll', top: 0, itemWidth: 24 },
    series: lines.map((l, i) => {
      const color = PALETTE[l.color % PALETTE.length];
      return {
        id: l.name,
        name: l.name,
        type: 'line',
        symbol: 'none',
        showSymbol: true,
        connectNulls: false,
        sampling: 'lttb',
        z: 2 + i,
        itemStyle: { color },
        lineStyle: { width: l.dashed ? 2 : 1.5, type: l.dashed ? 'dashed' : 'solid', color },
        data: withSymbols(l.points),
      };
    }),
  };
}

const SEVERITY_COLORS: Record<ThresholdLine['severity'], string> = { info: '#5f6368', warning: '#d98e04', critical: '#d93025' };

function markLineItem(t: ThresholdLine) {
  const color = SEVERITY_COLORS[t.severity];
  return { yAxis: t.value, name: t.label, lineStyle: { color, type: 'dashed', width: 1 }, label: { formatter: t.label, position: 'insideEndTop', color } };
}

/**
 * A whole time-axis line chart whose values format themselves per label (`percent`, `bps`, `plain`),
 * with its data set by the caller: the alert page's snapshot and history charts. The server page's
 * charts use {@link historyLineOption} and {@link lineData} (one unit per axis, fitted ticks).
 */
export function lineOption(seriesNames: string[], unit: ValueKind): EChartsCoreOption {
  const multi = seriesNames.length > 1;
  const fmt = (v: number) => (unit === 'percent' ? formatPercent(v) : unit === 'bps' ? formatBps(v) : v.toFixed(2));
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 56, right: 16, top: multi ? 32 : 16, bottom: 24 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v == null ? 'no data' : fmt(v)) },
    legend: multi ? { top: 0 } : undefined,
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, max: unit === 'percent' ? 100 : undefined, axisLabel: { formatter: fmt } },
    series: seriesNames.map((name) => ({
      name,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      sampling: 'lttb',
      data: [],
      areaStyle: multi ? undefined : { opacity: 0.15 },
    })),
  };
}

/** The points as ECharts data: plain pairs, and a visible symbol on each isolated point. */
export function withSymbols(points: SeriesPoint[]): (SeriesPoint | { value: SeriesPoint; symbol: string; symbolSize: number })[] {
  const isolated = isolatedIndexes(points);
  if (!isolated.length) return points;
  const data: (SeriesPoint | { value: SeriesPoint; symbol: string; symbolSize: number })[] = points.slice();
  for (const i of isolated) data[i] = { value: points[i], symbol: 'circle', symbolSize: 6 };
  return data;
}

/** The static part of a 0–100 % gauge; its value arrives through {@link gaugeData}. */
export function gaugeOption(): EChartsCoreOption {
  return {
    animation: false,
    backgroundColor: 'transparent',
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        radius: '95%',
        progress: { show: true, width: 10 },
        axisLine: { lineStyle: { width: 10 } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        title: { show: true, offsetCenter: [0, '35%'], fontSize: 12 },
        detail: { valueAnimation: false, offsetCenter: [0, '-5%'], fontSize: 18, formatter: '—' },
        data: [{ value: 0 }], // empty, showing "—", until the first gaugeData
      },
    ],
  };
}

/** How a gauge is drawn: its threshold level, or `stale` (grey: the server is offline, the value is its last). */
export type GaugeState = Level | 'stale';

/** Progress colours; the words beside the gauge ("critical", "as of 3 min ago") say the same without colour. */
const GAUGE_COLORS: Record<GaugeState, string | null> = {
  ok: null, // the theme's palette
  warning: '#d98e04',
  critical: '#d93025',
  stale: '#9e9e9e',
};

/** The value of a gauge (null = unknown, shown as an empty gauge and "—"), merged like {@link lineData}. */
export function gaugeData(name: string, value: number | null, state: GaugeState = 'ok'): EChartsCoreOption {
  const color = GAUGE_COLORS[state];
  return {
    series: [
      {
        data: [{ value: value ?? 0, name }],
        // In a merge an absent colour would keep the previous one: null resets it to the theme's.
        progress: { itemStyle: { color } },
        detail: { formatter: value == null ? '—' : (v: number) => `${v.toFixed(0)}%`, color: state === 'stale' ? color : null },
      },
    ],
  };
}
