import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { TerminalEndReason, TerminalSession } from '@chatops/protocol';

export class TerminalSessionsQueryDto {
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** The last `id` of the previous page. */
  @IsOptional() @IsUUID() before?: string;
}

export class RecordingQueryDto {
  /** `true`: sent as an attachment (`<server>-<session>.cast`). */
  @IsOptional() @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean() download?: boolean;
}

export class TerminalSessionDto implements TerminalSession {
  id: string;
  serverId: string;
  userId: string | null;
  username: string | null;
  cols: number;
  rows: number;
  startedAt: string;
  /** null while it is open. */
  endedAt: string | null;
  exitCode: number | null;
  /** `exit`, `closed`, `agent_disconnected`, `idle`, `revoked` or `error`. */
  endReason: TerminalEndReason | null;
  bytesOut: number;
  bytesIn: number;
  /** Output past 16 MiB was not recorded (the session went on). */
  recordingTruncated: boolean;
}
