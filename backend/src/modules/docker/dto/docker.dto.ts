import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  CONTAINER_EVENTS_KEPT, CONTAINER_REF_PATTERN, DOCKER_LOGS_MAX_TAIL, DOCKER_SIGNAL_PATTERN, DOCKER_STOP_MAX_TIMEOUT_SEC,
  type ContainerActionQuery,
} from '@chatops/protocol';
import { parseLogTime } from '../log-time';

/** `true`/`1` and `false`/`0`; anything else is left for `@IsBoolean` to refuse. */
const toBool = ({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value);
/** A valid time becomes unix seconds; anything else is left for `@IsNumber` to refuse. */
const toLogTime = ({ value }: { value: unknown }) => parseLogTime(value) ?? value;
const TIME_MESSAGE = (field: string) => `${field} must be an ISO-8601 time with a zone or unix seconds`;

export class ListContainersQueryDto {
  /** Stopped containers too (default true). */
  @IsOptional() @Transform(toBool) @IsBoolean() all?: boolean;
}

export class ContainerActionQueryDto implements ContainerActionQuery {
  /** stop, restart: seconds Docker waits after SIGTERM before SIGKILL, 0–600 (default: the container's StopTimeout, usually 10). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(DOCKER_STOP_MAX_TIMEOUT_SEC) timeout?: number;
  /** kill: the signal (`SIGKILL` by default): `SIGTERM`, `HUP`, `9`, ... */
  @IsOptional() @IsString() @Matches(DOCKER_SIGNAL_PATTERN, { message: 'signal must be a signal name (SIGTERM, HUP, ...) or a number 1–64' })
  signal?: string;
  /** remove: a running container too (it is killed). */
  @IsOptional() @Transform(toBool) @IsBoolean() force?: boolean;
  /** remove: its anonymous volumes too. */
  @IsOptional() @Transform(toBool) @IsBoolean() volumes?: boolean;
}

export class ContainerLogsQueryDto {
  /** The newest lines, 0–10,000 (default 100). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(DOCKER_LOGS_MAX_TAIL) tail?: number;
  @ApiPropertyOptional({ type: String, description: 'Only lines at or after this time: ISO-8601 with a zone, or unix seconds', example: '2026-01-01T10:00:00Z' })
  @IsOptional() @Transform(toLogTime) @IsNumber({}, { message: TIME_MESSAGE('since') }) since?: number;
  @ApiPropertyOptional({ type: String, description: 'Only lines before this time: ISO-8601 with a zone, or unix seconds', example: '1767261600' })
  @IsOptional() @Transform(toLogTime) @IsNumber({}, { message: TIME_MESSAGE('until') }) until?: number;
  /** Each line with the engine's timestamp. */
  @IsOptional() @Transform(toBool) @IsBoolean() timestamps?: boolean;
}

export class ContainerEventsQueryDto {
  /** 1–500, default 100. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(CONTAINER_EVENTS_KEPT) limit?: number;
  /** Only this container's events (its id, as the event carries it, or its name). */
  @IsOptional() @IsString() @MaxLength(128) @Matches(CONTAINER_REF_PATTERN, { message: 'containerId must be a container id or name' })
  containerId?: string;
}
