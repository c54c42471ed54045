import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import {
  ALERT_STATUS_FILTERS, METRIC_TYPES, SEVERITIES,
  type Alert, type AlertDetail, type AlertNoteRequest, type AlertPage, type AlertResolveReason, type AlertSnapshot, type AlertStatus,
  type AlertStatusFilter, type Comparison, type MetricType, type Severity,
} from '@chatops/protocol';

export class AlertQueryDto {
  /** `active`, `acknowledged`, `resolved`, `open` (active or acknowledged) or `all` (default). */
  @IsOptional() @IsIn(ALERT_STATUS_FILTERS) status?: AlertStatusFilter;
  @IsOptional() @IsUUID() serverId?: string;
  @IsOptional() @IsUUID() thresholdId?: string;
  @IsOptional() @IsIn(SEVERITIES) severity?: Severity;
  @IsOptional() @IsIn(METRIC_TYPES) metricType?: MetricType;
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** A `nextCursor` from the previous page (the id of its last alert), or an ISO-8601 time (alerts created before it). */
  @IsOptional() @IsString() @MaxLength(200) before?: string;
}

export class AlertNoteDto implements AlertNoteRequest {
  /** Shown with the alert and in the audit log; at most 2,000 characters. */
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class AlertResponse implements Alert {
  id: string;
  serverId: string;
  thresholdId: string;
  metricType: MetricType;
  severity: Severity;
  /** `active`, `acknowledged` or `resolved`. */
  status: AlertStatus;
  message: string;
  thresholdValue: number;
  comparison: Comparison;
  /** The value that fired it; after an automatic resolve, the value that resolved it. */
  currentValue: number | null;
  target: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  /** Username. */
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: string | null;
  /** Username; null when resolved automatically. */
  resolvedBy: string | null;
  resolveNote: string | null;
  /** `recovered`, `user`, `rule_disabled`, `rule_deleted`, `rule_changed`. */
  resolveReason: AlertResolveReason | null;
  /** A silence covered it when it fired: recorded, not notified. */
  silenced: boolean;
  silenceId: string | null;
  hasSnapshot: boolean;
  startedAt: string;
  updatedAt: string;
}

export class AlertDetailResponse extends AlertResponse implements AlertDetail {
  /** What the server looked like when the alert fired: the window's values, host figures, top processes, containers. */
  snapshot: AlertSnapshot | null;
}

export class AlertPageResponse implements AlertPage {
  /** Newest first. */
  items: AlertResponse[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}
