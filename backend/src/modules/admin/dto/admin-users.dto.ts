import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ADMIN_BULK_ACTIONS, USER_ROLES, type AdminBulkAction, type AdminBulkRequest, type UserRole, type AdminUserQuery, type ResetPasswordRequest, type SetRoleRequest } from '@chatops/protocol';

export class AdminUserQueryDto implements AdminUserQuery {
  /** Case-insensitive substring of the username, email or full name. */
  @IsOptional() @IsString() @MaxLength(254) q?: string;
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** Users to skip (oldest first); default 0. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) offset?: number;
}

export class SetRoleDto implements SetRoleRequest {
  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES) role: UserRole;
}

export class ResetPasswordDto implements ResetPasswordRequest {
  /** The temporary password to hand to the user; at least 8 characters. */
  @IsString() @MinLength(8) @MaxLength(256) password: string;
}

/** At most this many users in one bulk action (one admin page of users is 50 by default, 200 at most). */
export const ADMIN_BULK_MAX = 200;

export class AdminBulkDto implements AdminBulkRequest {
  /** `disable`, `enable` or `revoke_sessions` (sign the user out everywhere). */
  @ApiProperty({ enum: ADMIN_BULK_ACTIONS })
  @IsIn(ADMIN_BULK_ACTIONS) action: AdminBulkAction;
  /** 1–200 user ids; a repeated id is done once. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(ADMIN_BULK_MAX) @IsUUID('all', { each: true }) userIds: string[];
}
