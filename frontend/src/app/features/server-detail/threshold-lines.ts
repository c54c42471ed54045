import type { AlertThreshold, Severity } from '@chatops/protocol';
import { formatBps, formatPercent } from '../../shared/format/format';
import { COMPARISON_SYMBOLS } from '../alerts/alert-format';

/** An alert rule's threshold drawn across a chart: dashed, in its severity's colour, labelled in words. */
export interface ThresholdLine {
  value: number;
  label: string;
  severity: Severity;
}

export type LineChartKey = 'cpu' | 'mem' | 'load' | 'net' | 'swap';

const CHART_OF: Partial<Record<AlertThreshold['metricType'], LineChartKey>> = {
  cpu: 'cpu',
  memory: 'mem',
  load1: 'load',
  swap: 'swap',
  network_rx: 'net',
  network_tx: 'net',
};

/**
 * The threshold lines of the rules that apply to a server, per chart: enabled rules on a charted
 * metric with the default target (a rule on one interface is not the total the chart shows).
 * Labels say the severity, the comparison and the value ("critical > 90%", "warning ≥ 1.0 MiB/s sent").
 */
export function thresholdLines(rules: readonly AlertThreshold[]): Record<LineChartKey, ThresholdLine[]> {
  const out: Record<LineChartKey, ThresholdLine[]> = { cpu: [], mem: [], load: [], net: [], swap: [] };
  for (const r of rules) {
    const chart = CHART_OF[r.metricType];
    if (!chart || !r.enabled || r.target != null) continue;
    const v = r.thresholdValue;
    const value = chart === 'net' ? formatBps(v) : chart === 'load' ? String(v) : formatPercent(v);
    const what = r.metricType === 'network_rx' ? ' received' : r.metricType === 'network_tx' ? ' sent' : '';
    out[chart].push({ value: v, severity: r.severity, label: `${r.severity} ${COMPARISON_SYMBOLS[r.comparison]} ${value}${what}` });
  }
  return out;
}
