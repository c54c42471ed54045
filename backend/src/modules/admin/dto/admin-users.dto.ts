import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole, type AdminUserQuery, type ResetPasswordRequest, type SetRoleRequest } from '@chatops/protocol';

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
