import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole, REGISTRATION_MODES, type CreatedInvite, type Invite, type InviteCheck, type InviteStatus, type RegistrationMode, type RegistrationSettings, type RegistrationStatus } from '@chatops/protocol';

export class RegistrationStatusResponse implements RegistrationStatus {
  @ApiProperty({ enum: REGISTRATION_MODES }) mode: RegistrationMode;
  /** True when registering without an invite would be refused now (invite-only, and an account exists). */
  inviteRequired: boolean;
}

export class RegistrationSettingsResponse implements RegistrationSettings {
  @ApiProperty({ enum: REGISTRATION_MODES }) mode: RegistrationMode;
  /** `env`: never changed (the REGISTRATION variable applies); `admin`: set through the API. */
  @ApiProperty({ enum: ['env', 'admin'] }) source: 'env' | 'admin';
  updatedAt: string | null;
}

export class InviteResponse implements Invite {
  id: string;
  email: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ enum: ['pending', 'used', 'revoked', 'expired'] }) status: InviteStatus;
  expiresAt: string;
  createdAt: string;
  createdBy: string | null;
  usedAt: string | null;
  usedBy: string | null;
  revokedAt: string | null;
}

export class CreatedInviteResponse extends InviteResponse implements CreatedInvite {
  /** Shown in this response only; stored as a SHA-256 hash. */
  token: string;
  /** The link to hand out: `<PUBLIC_URL or this request's origin>/register?invite=<token>`. */
  url: string;
}

export class InviteCheckResponse implements InviteCheck {
  email: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  expiresAt: string;
}
