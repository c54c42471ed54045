import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { CHAT_CHANNELS, type AuditEntry, type AuditPage, type ChatChannel } from '@chatops/protocol';

export class AuditQueryDto {
  @IsOptional() @IsUUID() serverId?: string;
  /** Exact action name, e.g. `server.delete`. */
  @IsOptional() @IsString() @Matches(/^[a-z_.-]{1,64}$/) action?: string;
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** A `nextCursor` from the previous page, or an ISO-8601 time. */
  @IsOptional() @IsString() @MaxLength(200) before?: string;
}

export class AuditEntryResponse implements AuditEntry {
  id: string;
  userId: string | null;
  serverId: string | null;
  action: string;
  description: string;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  createdAt: string;
  /** Owner of the personal server the entry is about, at the time (null without one, and for team servers). */
  ownerId: string | null;
  /** The team the entry is about (a team server's, or a team action's); every member of the team sees the entry. */
  teamId?: string | null;
  /** True when an admin acted on a server owned by another user, or on a team server without a role in the team (break-glass); the description says so too. */
  actingAsAdmin: boolean;
  /** The chat door the action came through (ChatOps); null: REST or the dashboard's pages. */
  @ApiProperty({ enum: CHAT_CHANNELS, nullable: true })
  channel: ChatChannel | null;
}

export class AuditPageResponse implements AuditPage {
  /** Newest first. */
  items: AuditEntryResponse[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}
