/**
 * Alerts and notifications: REST shapes and the `/live` `alert` event (docs/api.md "Alerts",
 * docs/alerts.md). The backend's DTOs implement these; the dashboard types its calls with them.
 */
import type { ContainerSummary, ProcessSummary } from './agent-frames';
import type { AlertStatus, Comparison, MetricType, Severity } from './enums';

// ---- rules (thresholds) -----------------------------------------------------------------

/** `target` meaning "each of them": every mount, interface or container, one alert per target. */
export const ALERT_TARGET_EACH = '*';

/** Metric types whose value comes from each sample (the others are events: offline, container_down, container_unhealthy). */
export const SAMPLE_METRIC_TYPES = [
  'cpu', 'memory', 'disk', 'swap', 'load1', 'network_rx', 'network_tx', 'container_cpu', 'container_memory',
] as const satisfies readonly MetricType[];

/** Metric types that take a `target` (a mount, an interface, a container name, or `*`). */
export const TARGETED_METRIC_TYPES = [
  'disk', 'network_rx', 'network_tx', 'container_down', 'container_cpu', 'container_memory', 'container_unhealthy',
] as const satisfies readonly MetricType[];

/** Longest `durationSec` a rule may ask for (24 h). */
export const ALERT_MAX_DURATION_SEC = 86_400;

/**
 * A rule. `serverId` null: every server of the rule's owner, present and future. Values:
 * percent for cpu, memory, disk, swap, container_cpu, container_memory (of the container's limit);
 * the 1-minute load for load1; bytes per second for network_rx/tx; 1 (true) or 0 for offline,
 * container_down and container_unhealthy.
 */
export interface AlertThreshold {
  id: string;
  serverId: string | null;
  metricType: MetricType;
  comparison: Comparison;
  thresholdValue: number;
  enabled: boolean;
  severity: Severity;
  /** The condition must hold this long before the alert fires (0: on the first breaching value). */
  durationSec: number;
  /** Hysteresis: once firing, the alert resolves only when the value is no longer past this value. */
  clearValue: number | null;
  /** A mount, an interface or a container name, `*` for each of them, null for the default (docs/alerts.md). */
  target: string | null;
  /** Notification channels of the rule's creator that this rule notifies (while the creator may still see the server). */
  channelIds: string[];
  name: string | null;
  description: string | null;
  /** The account that created the rule; null for a rule whose creator's account was deleted. */
  createdBy: string | null;
  /** The creator's username, kept when the account is disabled or deleted (null only if never known). */
  createdByUsername: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateThresholdRequest {
  serverId?: string | null;
  metricType: MetricType;
  comparison: Comparison;
  thresholdValue: number;
  enabled?: boolean;
  severity?: Severity;
  durationSec?: number;
  clearValue?: number | null;
  target?: string | null;
  channelIds?: string[];
  name?: string | null;
  description?: string | null;
}
/** `PUT /alerts/thresholds/{id}`: partial; a field left out keeps its value, null clears a nullable one. */
export type UpdateThresholdRequest = Partial<CreateThresholdRequest>;

// ---- alerts ------------------------------------------------------------------------------

/** Why an alert was resolved. */
export const ALERT_RESOLVE_REASONS = ['recovered', 'user', 'rule_disabled', 'rule_deleted', 'rule_changed'] as const;
export type AlertResolveReason = (typeof ALERT_RESOLVE_REASONS)[number];

/** `status` filter of `GET /alerts`: `open` = active or acknowledged. */
export const ALERT_STATUS_FILTERS = ['active', 'acknowledged', 'resolved', 'open', 'all'] as const;
export type AlertStatusFilter = (typeof ALERT_STATUS_FILTERS)[number];

export interface Alert {
  id: string;
  serverId: string;
  /** The rule that fired it (kept after the rule is deleted). */
  thresholdId: string;
  metricType: MetricType;
  severity: Severity;
  status: AlertStatus;
  message: string;
  thresholdValue: number;
  comparison: Comparison;
  /** The value that fired it; after an automatic resolve, the value that resolved it. */
  currentValue: number | null;
  /** The mount, interface or container the alert is about; null for host-wide metrics. */
  target: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: string | null;
  /** null when resolved automatically. */
  resolvedBy: string | null;
  resolveNote: string | null;
  resolveReason: AlertResolveReason | null;
  /** A silence covered it when it fired: recorded, not notified. */
  silenced: boolean;
  silenceId: string | null;
  /** `GET /alerts/{id}` carries the snapshot taken when it fired. */
  hasSnapshot: boolean;
  /** When the condition started to hold (before `createdAt` when the rule has a duration). */
  startedAt: string;
  updatedAt: string;
}

/** One value of the triggering window. */
export interface AlertSnapshotPoint { timestamp: string; value: number }

/** What the server looked like when the alert fired. */
export interface AlertSnapshot {
  takenAt: string;
  /** The values that made it fire: the rule's duration window (one point when durationSec is 0). */
  samples: AlertSnapshotPoint[];
  /** Host figures of the latest sample. */
  host: {
    timestamp: string;
    cpuPercent: number;
    memoryPercent: number;
    load: [number, number, number];
    disks: { mount: string; percent: number }[];
    network: { iface: string; rxBps: number; txBps: number }[];
  } | null;
  /** Top processes by CPU, from the latest sample that had them (at most 10). */
  processes: ProcessSummary[] | null;
  /** Containers' state, CPU and memory from the latest sample (at most 50, busiest first). */
  containers: ContainerSummary[] | null;
}

export interface AlertDetail extends Alert {
  snapshot: AlertSnapshot | null;
}

/** `GET /alerts`: newest first; pass `nextCursor` (the id of the page's last alert) as `before` for the next page. */
export interface AlertPage { items: Alert[]; nextCursor: string | null }

/** `POST /alerts/{id}/acknowledge` and `/resolve`. */
export interface AlertNoteRequest { note?: string }

/** What happened to the alert, in the `/live` `alert` event. */
export const ALERT_CHANGES = ['fired', 'acknowledged', 'resolved'] as const;
export type AlertChange = (typeof ALERT_CHANGES)[number];

/** `/live` `alert` (to the server's subscribers): the alert as `GET /alerts/{id}` returns it, without the snapshot. */
export interface AlertEvent { alert: Alert; change: AlertChange }

// ---- silences ----------------------------------------------------------------------------

export interface AlertSilence {
  id: string;
  /** null: every server of the owner. */
  serverId: string | null;
  /** null: every metric type. */
  metricType: MetricType | null;
  reason: string;
  startsAt: string;
  endsAt: string;
  /** endsAt is still ahead. */
  active: boolean;
  createdBy: string | null;
  createdAt: string;
}
export interface CreateSilenceRequest { serverId?: string | null; metricType?: MetricType | null; endsAt: string; reason: string }

// ---- notification channels --------------------------------------------------------------

export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Headers of a webhook delivery (docs/alerts.md: how to verify). */
export const WEBHOOK_SIGNATURE_HEADER = 'X-ChatOps-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-ChatOps-Timestamp';
export const WEBHOOK_DELIVERY_HEADER = 'X-ChatOps-Delivery';

/**
 * A channel as the API returns it: secrets (the URL, the signing secret) are never returned;
 * `urlPreview` shows scheme and host only.
 */
export interface NotificationChannel {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  /** webhook and slack: e.g. `https://hooks.example.com/…`. */
  urlPreview: string | null;
  /** email: the recipients. */
  emailTo: string[] | null;
  /** A secret is stored (encrypted) for this channel. */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CreateChannelRequest {
  name: string;
  type: ChannelType;
  enabled?: boolean;
  /** webhook, slack: the http(s) URL to POST to. */
  url?: string;
  /** webhook: the HMAC-SHA256 signing secret (16–256 characters). */
  secret?: string;
  /** email: recipients. */
  emailTo?: string[];
}
/** Partial; `type` cannot change. Leaving `url`/`secret` out keeps the stored ones. */
export type UpdateChannelRequest = Partial<Omit<CreateChannelRequest, 'type'>>;

/** `POST /notifications/channels/{id}/test`. */
export interface ChannelTestResult {
  ok: boolean;
  /** HTTP status of a webhook/Slack answer. */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

// ---- deliveries --------------------------------------------------------------------------

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_KINDS = ['fired', 'acknowledged', 'resolved', 'test'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export interface DeliveryAttempt { at: string; ok: boolean; statusCode: number | null; error: string | null; durationMs: number }

/** One message to one channel (a grouped message covers several alerts). `GET /alerts/{id}/deliveries`. */
export interface NotificationDelivery {
  id: string;
  channelId: string | null;
  channelName: string | null;
  channelType: ChannelType | null;
  kind: DeliveryKind;
  status: DeliveryStatus;
  /** The alerts this message covers (more than one: a grouped message). */
  alertIds: string[];
  /** Why it was suppressed (silence, cooldown) or the last error. */
  detail: string | null;
  attempts: DeliveryAttempt[];
  createdAt: string;
  sentAt: string | null;
}

// ---- webhook payload -----------------------------------------------------------------------

/** The JSON body a generic webhook receives. */
export interface WebhookPayload {
  /** `alert.fired`, `alert.acknowledged`, `alert.resolved`, or `test`. */
  type: `alert.${AlertChange}` | 'test';
  deliveryId: string;
  sentAt: string;
  /** More than one alert: a grouped message (one rule breached on several servers within the grouping window). */
  grouped: boolean;
  alerts: Array<Alert & { serverName: string | null }>;
  text: string;
}
