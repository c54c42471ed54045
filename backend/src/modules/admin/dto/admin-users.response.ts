import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole, type AdminUser, type AdminUserPage, type PasswordResetLink } from '@chatops/protocol';

export class AdminUserResponse implements AdminUser {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  createdAt: string;
  /** Set while the account is disabled. */
  disabledAt: string | null;
  /** The last successful sign-in (login or registration). */
  lastLoginAt: string | null;
  /** Servers the user owns. */
  serverCount: number;
  /** Sessions that can still be renewed. */
  activeSessions: number;
  /** Present (true) while the user has a temporary password to change at the next sign-in. */
  mustChangePassword?: boolean;
}

export class PasswordResetLinkResponse implements PasswordResetLink {
  /** The secret, shown in this answer only (stored as its SHA-256). */
  token: string;
  /** The dashboard page to hand to the user: `/reset-password/<token>` (prefix it with the dashboard's address). */
  path: string;
  /** One hour after creation. */
  expiresAt: string;
}

export class AdminUserPageResponse implements AdminUserPage {
  /** Oldest account first. */
  items: AdminUserResponse[];
  /** Users matching the search, across all pages. */
  total: number;
  limit: number;
  offset: number;
}
