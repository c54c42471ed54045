import type { EChartsCoreOption } from 'echarts/core';
import { formatBps, formatPercent } from '../../shared/format/format';
import type { SeriesPoint } from './metrics-series';

type Unit = 'percent' | 'bps' | 'plain';

const fmt = (unit: Unit, v: number) => (unit === 'percent' ? formatPercent(v) : unit === 'bps' ? formatBps(v) : v.toFixed(2));

/** A time-axis line chart; nulls stay gaps (connectNulls: false). */
export function lineOption(
  series: { name: string; data: SeriesPoint[] }[],
  unit: Unit,
): EChartsCoreOption {
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 56, right: 16, top: series.length > 1 ? 32 : 16, bottom: 48 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: number | null) => (v == null ? 'no data' : fmt(unit, v)),
    },
    legend: series.length > 1 ? { top: 0 } : undefined,
    xAxis: { type: 'time' },
    yAxis: {
      type: 'value',
      min: 0,
      max: unit === 'percent' ? 100 : undefined,
      axisLabel: { formatter: (v: number) => fmt(unit, v) },
    },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8 }],
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      sampling: 'lttb',
      data: s.data,
      areaStyle: series.length === 1 ? { opacity: 0.15 } : undefined,
    })),
  };
}

/** A 0–100 % gauge. */
export function gaugeOption(name: string, value: number | null): EChartsCoreOption {
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
        detail: { valueAnimation: false, offsetCenter: [0, '-5%'], fontSize: 18, formatter: (v: number) => (value == null ? '—' : `${v.toFixed(0)}%`) },
        data: [{ value: value ?? 0, name }],
      },
    ],
  };
}
