import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { METRIC_TYPES, type AlertSilence, type CreateSilenceRequest, type MetricType } from '@chatops/protocol';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateSilenceDto implements CreateSilenceRequest {
  /** One server; omitted or null: every server of yours. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsUUID() serverId?: string | null;
  /** One metric type; omitted or null: all. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsIn(METRIC_TYPES) metricType?: MetricType | null;
  /** When it ends: in the future, at most one year ahead. */
  @IsISO8601({ strict: true }) endsAt: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(500) reason: string;
}

export class SilenceResponse implements AlertSilence {
  id: string;
  serverId: string | null;
  metricType: MetricType | null;
  reason: string;
  startsAt: string;
  endsAt: string;
  active: boolean;
  /** Username. */
  createdBy: string | null;
  createdAt: string;
}
