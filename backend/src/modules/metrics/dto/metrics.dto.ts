import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class HistoryQueryDto {
  /** Range start (ISO-8601); default: one hour before `end`. */
  @IsOptional() @IsDateString({ strict: true }) start?: string;
  /** Range end (ISO-8601); default: now. */
  @IsOptional() @IsDateString({ strict: true }) end?: string;
  /** Most buckets to return, 1–2000 (default 300). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2000) points?: number;
  /** Extra series, comma-separated: `network` (per interface), `mounts` (per mount), `diskio`. */
  @IsOptional()
  @Matches(/^(network|mounts|diskio)(,(network|mounts|diskio)){0,2}$/, { message: 'series must be a comma-separated list of network, mounts, diskio' })
  series?: string;
}
