import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  COMMAND_MAX_LENGTH, COMMAND_MAX_TIMEOUT_SEC, COMMAND_STATUSES, type CommandStatus, type RunCommandRequest, type UpdateCommandPolicyRequest,
} from '@chatops/protocol';

const NO_NUL = /^[^\u0000]*$/;

export class RunCommandDto implements RunCommandRequest {
  /** Run with `/bin/sh -c` on the server, as the agent's user. */
  @IsString() @MinLength(1) @MaxLength(COMMAND_MAX_LENGTH) @Matches(/\S/, { message: 'command must not be blank' })
  @Matches(NO_NUL, { message: 'command must not contain NUL characters' })
  command: string;
  /** Seconds before the agent kills it (queue time on the agent included); default 30, max 600. */
  @IsOptional() @IsInt() @Min(1) @Max(COMMAND_MAX_TIMEOUT_SEC) timeoutSec?: number;
}

export class RunCommandQueryDto {
  /** `true`: answer 202 at once; output streams over `/live` and the record is at `GET /commands/item/{id}`. */
  @IsOptional() @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean() async?: boolean;
}

export class CommandHistoryQueryDto {
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** A `commandId` from the previous page (its last item), or an ISO-8601 time. */
  @IsOptional() @IsString() @MaxLength(64) before?: string;
  @IsOptional() @IsIn(COMMAND_STATUSES) status?: CommandStatus;
  /** Substring of the command (case-insensitive). */
  @IsOptional() @IsString() @MaxLength(200) @Matches(NO_NUL) q?: string;
}

export class UpdateCommandPolicyDto implements UpdateCommandPolicyRequest {
  /** When non-empty, a command must match one of these patterns. */
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(512, { each: true }) @Matches(NO_NUL, { each: true })
  allow?: string[];
  /** A command matching any of these (or one of its segments) is refused. */
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(512, { each: true }) @Matches(NO_NUL, { each: true })
  deny?: string[];
}
