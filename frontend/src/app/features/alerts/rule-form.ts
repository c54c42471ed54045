import type { AlertThreshold, Comparison, CreateThresholdRequest, MetricType, Severity } from '@chatops/protocol';
// values from the module itself: the package index also exports the agent frames' zod schemas
import { ALERT_MAX_DURATION_SEC, TARGETED_METRIC_TYPES } from '@chatops/protocol/alerts';
import { EVENT_METRICS } from './alert-format';

/** The rule form's values as typed (numbers as text, '' = empty). */
export interface RuleFormValue {
  name: string;
  /** '' = every server, present and future. */
  serverId: string;
  metricType: MetricType;
  target: string;
  comparison: Comparison;
  thresholdValue: string;
  clearValue: string;
  durationSec: string;
  severity: Severity;
  enabled: boolean;
  channelIds: string[];
  description: string;
}

export const RULE_FIELDS = ['name', 'serverId', 'metricType', 'target', 'comparison', 'thresholdValue', 'clearValue', 'durationSec', 'severity', 'channelIds', 'description'] as const;

export function emptyRule(serverId = ''): RuleFormValue {
  return {
    name: '', serverId, metricType: 'cpu', target: '', comparison: 'gt', thresholdValue: '90', clearValue: '', durationSec: '60',
    severity: 'warning', enabled: true, channelIds: [], description: '',
  };
}

export function ruleToForm(r: AlertThreshold): RuleFormValue {
  return {
    name: r.name ?? '', serverId: r.serverId ?? '', metricType: r.metricType, target: r.target ?? '', comparison: r.comparison,
    thresholdValue: String(r.thresholdValue), clearValue: r.clearValue == null ? '' : String(r.clearValue), durationSec: String(r.durationSec),
    severity: r.severity, enabled: r.enabled, channelIds: [...r.channelIds], description: r.description ?? '',
  };
}

export const isEventMetric = (m: MetricType) => EVENT_METRICS.includes(m);
export const takesTarget = (m: MetricType) => (TARGETED_METRIC_TYPES as readonly MetricType[]).includes(m);

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));

/** The checks the backend makes (docs/api.md "Thresholds"), worded for the form; {} when valid. */
export function validateRule(v: RuleFormValue): Partial<Record<(typeof RULE_FIELDS)[number], string>> {
  const e: Partial<Record<(typeof RULE_FIELDS)[number], string>> = {};
  const event = isEventMetric(v.metricType);
  const threshold = num(v.thresholdValue);
  if (!event && !Number.isFinite(threshold)) e.thresholdValue = 'Enter a number';
  const d = num(v.durationSec || '0');
  if (!Number.isInteger(d) || d < 0 || d > ALERT_MAX_DURATION_SEC) e.durationSec = `Whole seconds from 0 to ${ALERT_MAX_DURATION_SEC}`;
  if (!event && v.clearValue.trim() !== '') {
    const c = num(v.clearValue);
    if (!Number.isFinite(c)) e.clearValue = 'Enter a number, or leave it empty';
    else if (v.comparison === 'eq') e.clearValue = 'Not with "equals": leave it empty';
    else if ((v.comparison === 'gt' || v.comparison === 'gte') && Number.isFinite(threshold) && c > threshold) e.clearValue = 'Must be at most the threshold';
    else if ((v.comparison === 'lt' || v.comparison === 'lte') && Number.isFinite(threshold) && c < threshold) e.clearValue = 'Must be at least the threshold';
  }
  if (v.target.trim().length > 255) e.target = 'At most 255 characters';
  if (v.name.trim().length > 200) e.name = 'At most 200 characters';
  if (v.description.length > 2000) e.description = 'At most 2,000 characters';
  if (v.channelIds.length > 20) e.channelIds = 'At most 20 channels';
  return e;
}

/** The request body: event rules are `eq 1` without hysteresis; a target only where it applies. */
export function ruleRequest(v: RuleFormValue): CreateThresholdRequest {
  const event = isEventMetric(v.metricType);
  return {
    serverId: v.serverId || null,
    metricType: v.metricType,
    comparison: event ? 'eq' : v.comparison,
    thresholdValue: event ? 1 : Number(v.thresholdValue),
    clearValue: event || v.clearValue.trim() === '' ? null : Number(v.clearValue),
    durationSec: Number(v.durationSec || '0'),
    target: takesTarget(v.metricType) && v.target.trim() ? v.target.trim() : null,
    severity: v.severity,
    enabled: v.enabled,
    channelIds: v.channelIds,
    name: v.name.trim() || null,
    description: v.description.trim() || null,
  };
}
