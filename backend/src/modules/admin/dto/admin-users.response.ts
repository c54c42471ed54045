import { ApiProperty } from '@nestjs/swagger';
import { ADMIN_BULK_ACTIONS, USER_ROLES, type AdminBulkAction, type AdminBulkResponse, type AdminBulkResult, type UserRole, type AdminUser, type AdminUserPage, type PasswordResetLink } from '@chatops/protocol';

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

export class AdminBulkResultDto {
  userId: string;
  /** False: the user was left as they were; `code` and `message` say why. */
  ok: boolean;
  /** The user's new state (when `ok`). */
  user?: AdminUserResponse;
  /** The refusal's error code (when not `ok`), e.g. `admin.self_action`, `admin.last_admin`, `admin.user_not_found`. */
  code?: string;
  message?: string;
}

export class AdminBulkResponseDto implements AdminBulkResponse {
  @ApiProperty({ enum: ADMIN_BULK_ACTIONS }) action: AdminBulkAction;
  /** One per distinct requested id, in the request's order. */
  @ApiProperty({ type: [AdminBulkResultDto] }) results: AdminBulkResult[];
}
