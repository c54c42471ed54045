import type { EChartsCoreOption } from 'echarts/core';
import { formatBps, formatPercent } from '../../shared/format/format';
import type { SeriesPoint } from './metrics-series';

type Unit = 'percent' | 'bps' | 'plain';

const fmt = (unit: Unit, v: number) => (unit === 'percent' ? formatPercent(v) : unit === 'bps' ? formatBps(v) : v.toFixed(2));

/**
 * The static part of a time-axis line chart (axes, grid, tooltip, zoom) with empty series. It is
 * set once; the points arrive through {@link lineData}. Nulls stay gaps (connectNulls: false).
 */
export function lineOption(seriesNames: string[], unit: Unit): EChartsCoreOption {
  const multi = seriesNames.length > 1;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 56, right: 16, top: multi ? 32 : 16, bottom: 48 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number | null) => (v == null ? 'no data' : fmt(unit, v)),
    },
    legend: multi ? { top: 0 } : undefined,
    xAxis: { type: 'time' },
    yAxis: {
      type: 'value',
      min: 0,
      max: unit === 'percent' ? 100 : undefined,
      axisLabel: { formatter: (v: number) => fmt(unit, v) },
    },
    // No data shadow: the slider would redraw a miniature of the whole series on every update.
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8, showDataShadow: false }],
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

/**
 * The points of a line chart, one array per series in the order of {@link lineOption}, to be
 * merged into it with `setOption(data)` (not `notMerge`), which replaces each series' data and
 * keeps the rest of the chart, including the user's zoom.
 */
export function lineData(...series: SeriesPoint[][]): EChartsCoreOption {
  return { series: series.map((data) => ({ data })) };
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

/** The value of a gauge (null = unknown, shown as an empty gauge and "—"), merged like {@link lineData}. */
export function gaugeData(name: string, value: number | null): EChartsCoreOption {
  return {
    series: [
      {
        data: [{ value: value ?? 0, name }],
        detail: { formatter: value == null ? '—' : (v: number) => `${v.toFixed(0)}%` },
      },
    ],
  };
}
