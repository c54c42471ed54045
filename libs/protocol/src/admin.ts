/**
 * Instance administration (docs/api.md, "Admin"): users, the registration setting and invites,
 * and the signed-in user's sessions. Exported from the package index too.
 */
import type { UserRole } from './enums';

/** A user as the admin's users page lists it. */
export interface AdminUser {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  role: UserRole;
  createdAt: string;
  /** Set while the account is disabled: it cannot sign in, refresh or use a token. */
  disabledAt: string | null;
  /** The last successful sign-in (login or registration); null: never since the column exists. */
  lastLoginAt: string | null;
  /** Servers the user owns. */
  serverCount: number;
  /** Present (true) while the user has a temporary password to change at the next sign-in. */
  mustChangePassword?: boolean;
  /** Sessions (refresh-token families) that can still be renewed. */
  activeSessions: number;
}

export interface AdminUserPage {
  items: AdminUser[];
  /** Users matching the search, across all pages. */
  total: number;
  limit: number;
  offset: number;
}

export interface AdminUserQuery { q?: string; limit?: number; offset?: number }
export interface SetRoleRequest { role: UserRole }
/** The temporary password the admin hands to the user (at least 8 characters); they must change it at their next sign-in. */
export interface ResetPasswordRequest { password: string }

/** `POST /admin/users/{id}/reset-link`: a one-time link (shown once; only its hash is stored). */
export interface PasswordResetLink {
  /** The secret; the dashboard page is `/reset-password/<token>`. */
  token: string;
  /** The dashboard path to hand to the user (prefix it with the dashboard's address). */
  path: string;
  expiresAt: string;
}

/** `POST /auth/reset-password` (public): the token of a reset link and the new password (at least 8 characters). */
export interface CompletePasswordResetRequest { token: string; newPassword: string }

/** `POST /admin/users/bulk`: one action on several users; each is done (or refused) on its own. */
export const ADMIN_BULK_ACTIONS = ['disable', 'enable', 'revoke_sessions'] as const;
export type AdminBulkAction = (typeof ADMIN_BULK_ACTIONS)[number];
export interface AdminBulkRequest { action: AdminBulkAction; userIds: string[] }
/** Per user: `ok` with the user's new state, or the error code and message that refused it. */
export type AdminBulkResult =
  | { userId: string; ok: true; user: AdminUser }
  | { userId: string; ok: false; code: string; message: string };
export interface AdminBulkResponse { action: AdminBulkAction; results: AdminBulkResult[] }


/** `open`: anybody may register (the default); `invite`: only with a valid invite (the first user always may). */
export const REGISTRATION_MODES = ['open', 'invite'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

/** `GET /auth/registration`, public: what the register page needs to know. */
export interface RegistrationStatus {
  mode: RegistrationMode;
  /** True when a registration without an invite would be refused now. */
  inviteRequired: boolean;
}

export interface RegistrationSettings {
  mode: RegistrationMode;
  /** `env`: nobody changed it yet (the `REGISTRATION` variable applies); `admin`: set through the API. */
  source: 'env' | 'admin';
  updatedAt: string | null;
}
export interface UpdateRegistrationRequest { mode: RegistrationMode }

export type InviteStatus = 'pending' | 'used' | 'revoked' | 'expired';

export interface Invite {
  id: string;
  /** When set, only this address may register with the invite. */
  email: string | null;
  role: UserRole;
  status: InviteStatus;
  expiresAt: string;
  createdAt: string;
  createdBy: string | null;
  usedAt: string | null;
  usedBy: string | null;
  revokedAt: string | null;
}

/** `POST /admin/invites`: the token and link are shown in this response only (stored as a hash). */
export interface CreatedInvite extends Invite {
  token: string;
  /** `<PUBLIC_URL or the request's origin>/register?invite=<token>`. */
  url: string;
}

export interface CreateInviteRequest { email?: string; role?: UserRole; expiresInHours?: number }

/** `POST /auth/invites/check`: what the register page shows before the form is sent. */
export interface InviteCheck { email: string | null; role: UserRole; expiresAt: string }

/** One session of the signed-in user: a refresh-token family, from one sign-in. */
export interface UserSession {
  id: string;
  /** The session the request came from. */
  current: boolean;
  createdAt: string;
  /** The last sign-in or token renewal of the session. */
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}
