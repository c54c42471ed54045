import type { Alert, AlertSilence, AlertThreshold } from '@chatops/protocol';

export function alert(partial: Partial<Alert> & { id: string }): Alert {
  return {
    serverId: 's1', thresholdId: 'r1', metricType: 'cpu', severity: 'warning', status: 'active', message: `web-1: CPU 95% > 90% (${partial.id})`,
    thresholdValue: 90, comparison: 'gt', currentValue: 95, target: null, createdAt: '2026-01-01T10:00:00.000Z', startedAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z', acknowledgedAt: null, acknowledgedBy: null, acknowledgeNote: null, resolvedAt: null, resolvedBy: null,
    resolveNote: null, resolveReason: null, silenced: false, silenceId: null, hasSnapshot: true,
    ...partial,
  };
}

export function rule(partial: Partial<AlertThreshold> & { id: string }): AlertThreshold {
  return {
    serverId: null, metricType: 'cpu', comparison: 'gt', thresholdValue: 90, enabled: true, severity: 'warning', durationSec: 60, clearValue: null,
    target: null, channelIds: [], name: null, description: null, createdBy: null, createdByUsername: null,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    ...partial,
  };
}

export function silence(partial: Partial<AlertSilence> & { id: string }): AlertSilence {
  return {
    serverId: null, metricType: null, reason: 'maintenance', startsAt: '2026-01-01T00:00:00.000Z', endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    active: true, createdBy: 'ada', createdAt: '2026-01-01T00:00:00.000Z',
    ...partial,
  };
}
