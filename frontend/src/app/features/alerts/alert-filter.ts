import type { Alert, AlertEvent, AlertSilence, AlertStatusFilter, MetricType, Severity } from '@chatops/protocol';

export interface AlertFilters {
  status: AlertStatusFilter;
  /** '' = every server. */
  serverId: string;
  severity: Severity | '';
  metricType: MetricType | '';
}

export const DEFAULT_FILTERS: AlertFilters = { status: 'open', serverId: '', severity: '', metricType: '' };

/** Whether the server would list this alert under these filters (the same rules as `GET /alerts`). */
export function alertMatches(a: Alert, f: AlertFilters): boolean {
  const status = f.status === 'all' || (f.status === 'open' ? a.status !== 'resolved' : a.status === f.status);
  return status && (!f.serverId || a.serverId === f.serverId) && (!f.severity || a.severity === f.severity) && (!f.metricType || a.metricType === f.metricType);
}

/**
 * A `/live` `alert` event applied to a list shown newest first: a new alert that matches goes on
 * top, a known one is updated in place, one that no longer matches (acknowledged while the list
 * shows active ones) leaves the list.
 */
export function applyAlertEvent(items: readonly Alert[], e: AlertEvent, f: AlertFilters): Alert[] {
  const i = items.findIndex((a) => a.id === e.alert.id);
  if (!alertMatches(e.alert, f)) return i < 0 ? [...items] : items.filter((a) => a.id !== e.alert.id);
  if (i >= 0) return items.map((a) => (a.id === e.alert.id ? e.alert : a));
  return [e.alert, ...items];
}

/** Silences in force that cover this server (or every server when `serverId` is ''). */
export function activeSilencesFor(silences: readonly AlertSilence[], serverId: string, now = Date.now()): AlertSilence[] {
  return silences.filter((s) => s.active && Date.parse(s.endsAt) > now && (!serverId || s.serverId === null || s.serverId === serverId));
}
