import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOptionalNotNull } from '../../../common/validation';
import type { CompletePasswordResetRequest } from '@chatops/protocol';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegisterDto {
  /** Unique, case-insensitive. */
  @Transform(trim) @IsEmail() @MaxLength(254) email: string;
  /** 3–64 letters, digits, dots, dashes or underscores; unique, case-insensitive. */
  @Transform(trim) @IsString() @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username: string;
  /** At least 8 characters. */
  @IsString() @MinLength(8) @MaxLength(256) password: string;
  @IsOptional() @Transform(trim) @IsString() @MaxLength(200) fullName?: string;
  /** The token of an invite link (`/register?invite=…`); required while registration is invite-only. */
  @IsOptionalNotNull() @IsString() @MinLength(16) @MaxLength(256) inviteToken?: string;
}

export class LoginDto {
  /** Username or email. */
  @IsString() @MinLength(1) @MaxLength(254) username: string;
  @IsString() @MinLength(1) @MaxLength(256) password: string;
}

export class RefreshDto {
  /** Required unless the browser's refresh cookie is sent with `X-ChatOps-Refresh: 1`. */
  @IsOptional() @IsString() @MinLength(16) @MaxLength(256) refreshToken?: string;
}

export class UpdateProfileDto {
  @IsOptional() @Transform(trim) @IsString() @MaxLength(200) fullName?: string | null;
  @IsOptionalNotNull() @Transform(trim) @IsEmail() @MaxLength(254) email?: string;
}

export class ChangePasswordDto {
  @IsString() @MinLength(1) @MaxLength(256) currentPassword: string;
  /** At least 8 characters. */
  @IsString() @MinLength(8) @MaxLength(256) newPassword: string;
  /** Accepted for clients that send their current refresh token; every session is replaced by the returned pair. */
  @IsOptional() @IsString() @MaxLength(256) refreshToken?: string;
}

export class CompletePasswordResetDto implements CompletePasswordResetRequest {
  /** The token of the reset link (`/reset-password/<token>`). */
  @IsString() @MinLength(1) @MaxLength(128) token: string;
  /** At least 8 characters. */
  @IsString() @MinLength(8) @MaxLength(256) newPassword: string;
}
