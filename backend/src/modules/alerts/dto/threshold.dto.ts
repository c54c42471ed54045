import { Transform } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf,
} from 'class-validator';
import {
  ALERT_MAX_DURATION_SEC, COMPARISONS, METRIC_TYPES, SEVERITIES,
  type AlertThreshold, type Comparison, type CreateThresholdRequest, type MetricType, type Severity, type UpdateThresholdRequest,
} from '@chatops/protocol';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const finite = { allowNaN: false, allowInfinity: false };

export class CreateThresholdDto implements CreateThresholdRequest {
  /** One server (`rules.manage` there; the rule is then the server's, shared with its team); omitted or null: every personal server of yours, present and future. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsUUID() serverId?: string | null;
  @IsIn(METRIC_TYPES) metricType: MetricType;
  @IsIn(COMPARISONS) comparison: Comparison;
  /** Percent for cpu/memory/disk/swap/container_cpu/container_memory, load for load1, bytes/s for network, 1 for offline/container_down/container_unhealthy. */
  @IsNumber(finite) thresholdValue: number;
  /** Default true. */
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Default `warning`. */
  @IsOptional() @IsIn(SEVERITIES) severity?: Severity;
  /** Seconds the condition must hold before the alert fires; default 0, at most 86,400. */
  @IsOptional() @IsInt() @Min(0) @Max(ALERT_MAX_DURATION_SEC) durationSec?: number;
  /** Hysteresis: a firing alert resolves only once the value is no longer past this one. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsNumber(finite) clearValue?: number | null;
  /** disk: a mount (default `/`); network: an interface (default: all but loopback, summed); container rules: a container name (default `*`); `*`: each one. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MinLength(1) @MaxLength(255) target?: string | null;
  /** Your notification channels this rule notifies. */
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID('all', { each: true }) channelIds?: string[];
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(200) name?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(2000) description?: string | null;
}

export class UpdateThresholdDto implements UpdateThresholdRequest {
  /** Only the rule's creator may set null (all their personal servers). */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsUUID() serverId?: string | null;
  @IsOptional() @IsIn(METRIC_TYPES) metricType?: MetricType;
  @IsOptional() @IsIn(COMPARISONS) comparison?: Comparison;
  @IsOptional() @IsNumber(finite) thresholdValue?: number;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsIn(SEVERITIES) severity?: Severity;
  @IsOptional() @IsInt() @Min(0) @Max(ALERT_MAX_DURATION_SEC) durationSec?: number;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsNumber(finite) clearValue?: number | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MinLength(1) @MaxLength(255) target?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID('all', { each: true }) channelIds?: string[];
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(200) name?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(2000) description?: string | null;
}

export class ThresholdQueryDto {
  /** Rules that apply to this server: its own (whoever created them) and, on a personal server, its owner's all-servers rules. */
  @IsOptional() @IsUUID() serverId?: string;
}

export class ThresholdResponse implements AlertThreshold {
  id: string;
  /** null: every personal server of the rule's creator (all-servers rules are personal). */
  serverId: string | null;
  metricType: MetricType;
  comparison: Comparison;
  thresholdValue: number;
  enabled: boolean;
  severity: Severity;
  durationSec: number;
  clearValue: number | null;
  target: string | null;
  channelIds: string[];
  name: string | null;
  description: string | null;
  /** The account that created the rule (null if that account was deleted). */
  createdBy: string | null;
  /** The creator's username, kept when their account is disabled or deleted. */
  createdByUsername: string | null;
  createdAt: string;
  updatedAt: string;
}
