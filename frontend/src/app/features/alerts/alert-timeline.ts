import type { Alert } from '@chatops/protocol';
import { RESOLVE_REASON_LABELS } from './alert-format';

export interface TimelineEntry { at: string; icon: string; title: string; note: string | null }

/** An alert's lifecycle, oldest first: the condition began, it fired, acknowledged, resolved. */
export function alertTimeline(a: Alert): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  if (a.startedAt && Date.parse(a.createdAt) - Date.parse(a.startedAt) >= 1_000) out.push({ at: a.startedAt, icon: 'unknown', title: 'Condition began to hold', note: null });
  out.push({ at: a.createdAt, icon: 'bell', title: a.silenced ? 'Fired (silenced: nobody notified)' : 'Fired', note: null });
  if (a.acknowledgedAt) out.push({ at: a.acknowledgedAt, icon: 'person', title: `Acknowledged by ${a.acknowledgedBy ?? 'someone'}`, note: a.acknowledgeNote });
  if (a.resolvedAt) {
    const reason = a.resolveReason ? RESOLVE_REASON_LABELS[a.resolveReason] ?? a.resolveReason : null;
    const who = a.resolvedBy ? `Resolved by ${a.resolvedBy}` : 'Resolved automatically';
    out.push({ at: a.resolvedAt, icon: 'check', title: reason && reason !== 'resolved by hand' ? `${who} (${reason})` : who, note: a.resolveNote });
  }
  return out;
}
