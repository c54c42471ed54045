import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole, REGISTRATION_MODES, type CreateInviteRequest, type RegistrationMode, type UpdateRegistrationRequest } from '@chatops/protocol';
import { IsOptionalNotNull } from '../../../common/validation';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UpdateRegistrationDto implements UpdateRegistrationRequest {
  @ApiProperty({ enum: REGISTRATION_MODES })
  @IsIn(REGISTRATION_MODES) mode: RegistrationMode;
}

export class CreateInviteDto implements CreateInviteRequest {
  /** Only this address may register with the invite (case-insensitive). */
  @IsOptionalNotNull() @Transform(trim) @IsEmail() @MaxLength(254) email?: string;
  /** The role the new account gets; default `user`. */
  @ApiProperty({ enum: USER_ROLES, required: false })
  @IsOptionalNotNull() @IsIn(USER_ROLES) role?: UserRole;
  /** 1–720 hours; default 72. */
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(720) expiresInHours?: number;
}

export class InviteCheckDto {
  /** The token from the invite link. */
  @IsString() @MinLength(16) @MaxLength(256) inviteToken: string;
}
