import type { Alert, AlertDetail, AlertResolveReason, AlertSnapshot, AlertStatus, Comparison, MetricType, Severity } from '@chatops/protocol';

/** Columns of `alerts` as node-postgres returns them (the engine and the services use raw SQL). */
export interface AlertRow {
  id: string;
  server_id: string;
  threshold_id: string;
  owner_id: string;
  target: string;
  metric_type: MetricType;
  severity: Severity;
  comparison: Comparison;
  status: AlertStatus;
  message: string;
  threshold_value: number;
  current_value: number | null;
  started_at: Date;
  created_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolve_note: string | null;
  resolve_reason: AlertResolveReason | null;
  silenced: boolean;
  silence_id: string | null;
  /** Selected as a boolean in lists; the whole object only for `GET /alerts/{id}`. */
  has_snapshot: boolean;
  snapshot?: AlertSnapshot | null;
}

/** Every column but the snapshot, plus whether there is one. */
export const ALERT_COLUMNS = `id, server_id, threshold_id, owner_id, target, metric_type, severity, comparison, status, message,
  threshold_value, current_value, started_at, created_at, updated_at, acknowledged_at, acknowledged_by, acknowledge_note,
  resolved_at, resolved_by, resolve_note, resolve_reason, silenced, silence_id, (snapshot IS NOT NULL) AS has_snapshot`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    serverId: r.server_id,
    thresholdId: r.threshold_id,
    metricType: r.metric_type,
    severity: r.severity,
    status: r.status,
    message: r.message,
    thresholdValue: r.threshold_value,
    comparison: r.comparison,
    currentValue: r.current_value,
    target: r.target === '' ? null : r.target,
    createdAt: r.created_at.toISOString(),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgeNote: r.acknowledge_note,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolveNote: r.resolve_note,
    resolveReason: r.resolve_reason,
    silenced: r.silenced,
    silenceId: r.silence_id,
    hasSnapshot: r.has_snapshot,
    startedAt: r.started_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toAlertDetail(r: AlertRow): AlertDetail {
  return { ...toAlert(r), snapshot: r.snapshot ?? null };
}
