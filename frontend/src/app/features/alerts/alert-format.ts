import type { AlertStatus, Comparison, MetricType, Severity } from '@chatops/protocol';
import { formatBps, formatPercent } from '../../shared/format/format';

/** Labels (Records, so a new enum value fails to compile until it is named here). */
export const METRIC_LABELS: Record<MetricType, string> = {
  cpu: 'CPU', memory: 'Memory', disk: 'Disk', swap: 'Swap', load1: 'Load (1 min)', network_rx: 'Network in', network_tx: 'Network out',
  offline: 'Server offline', container_down: 'Container down', container_cpu: 'Container CPU', container_memory: 'Container memory',
  container_unhealthy: 'Container unhealthy',
};
export const COMPARISON_SYMBOLS: Record<Comparison, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' };
export const SEVERITY_META: Record<Severity, { label: string; icon: string }> = {
  info: { label: 'Info', icon: 'info' },
  warning: { label: 'Warning', icon: 'warning' },
  critical: { label: 'Critical', icon: 'critical' },
};
export const STATUS_LABELS: Record<AlertStatus, string> = { active: 'Active', acknowledged: 'Acknowledged', resolved: 'Resolved' };

/** Metrics that are events (the value is 1 when it happened): the rule is `eq 1`. */
export const EVENT_METRICS: readonly MetricType[] = ['offline', 'container_down', 'container_unhealthy'];
const PERCENT_METRICS: readonly MetricType[] = ['cpu', 'memory', 'disk', 'swap', 'container_cpu', 'container_memory'];

/** The unit a rule's value is in, for the form's hint. */
export function metricUnit(m: MetricType): string {
  if (PERCENT_METRICS.includes(m)) return '%';
  if (m === 'network_rx' || m === 'network_tx') return 'bytes/s';
  if (EVENT_METRICS.includes(m)) return '1 = it happened';
  return 'load';
}

/** A value of a metric, with its unit. */
export function formatMetricValue(m: MetricType, v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  if (PERCENT_METRICS.includes(m)) return formatPercent(v);
  if (m === 'network_rx' || m === 'network_tx') return formatBps(v);
  if (EVENT_METRICS.includes(m)) return v ? 'yes' : 'no';
  return v.toFixed(2);
}

/** "CPU > 90.0 % for 5 min" ("Server offline" for event rules). */
export function describeCondition(r: { metricType: MetricType; comparison: Comparison; thresholdValue: number; durationSec?: number; target: string | null }): string {
  const what = METRIC_LABELS[r.metricType] + (r.target ? ` (${r.target === '*' ? 'each' : r.target})` : '');
  const cond = EVENT_METRICS.includes(r.metricType) ? what : `${what} ${COMPARISON_SYMBOLS[r.comparison]} ${formatMetricValue(r.metricType, r.thresholdValue)}`;
  return r.durationSec ? `${cond} for ${formatSeconds(r.durationSec)}` : cond;
}

export function formatSeconds(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return sec % 60 ? `${Math.floor(sec / 60)} min ${sec % 60} s` : `${sec / 60} min`;
  const h = Math.floor(sec / 3600), m = Math.round((sec % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export const RESOLVE_REASON_LABELS: Record<string, string> = {
  recovered: 'recovered', user: 'resolved by hand', rule_disabled: 'rule disabled', rule_deleted: 'rule deleted',
  rule_changed: 'rule changed', server_deleted: 'server deleted',
};
