import type { ServerAccess } from './access';
/** REST shapes (docs/api.md). JSON is camelCase, ids are UUIDs, times ISO-8601 UTC strings. */
import type { ServerStatus, UserRole } from './enums';
import type { ChatChannel } from './chatops';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown[];
  requestId: string;
  /** Machine-readable domain code, e.g. `auth.invalid_credentials`. */
  code?: string;
}

export interface User {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  role: UserRole;
  createdAt: string;
  /**
   * Present (true) while the user signs in with a temporary password an admin set: every request but
   * change-password, logout and `GET /auth/me` answers 403 `auth.password_change_required`.
   */
  mustChangePassword?: boolean;
}

export interface RegisterRequest { email: string; username: string; password: string; fullName?: string; /** Required when registration is invite-only (docs/api.md). */ inviteToken?: string }
export interface LoginRequest { username: string; password: string }
export interface RefreshRequest { refreshToken: string }
export interface UpdateProfileRequest { fullName?: string | null; email?: string }
export interface ChangePasswordRequest { currentPassword: string; newPassword: string; refreshToken?: string }

export interface AuthResponse {
  user: User;
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

/**
 * Browsers keep the refresh token in an HttpOnly cookie (`chatops_refresh`, path `/api/v1/auth`)
 * instead of script-readable storage. A request opts into that with this header (value `1`); it
 * is also what refresh and logout require before they accept the cookie (a cross-site form cannot
 * send a custom header). Typed as a literal so backend and dashboard spell it the same.
 */
export type RefreshCookieHeader = 'X-ChatOps-Refresh';
export type RefreshCookieName = 'chatops_refresh';
/** The body of login/register/refresh/change-password in cookie mode: the refresh token is only in the cookie. */
export type BrowserAuthResponse = Omit<AuthResponse, 'refreshToken'>;

/** `dockerReadOnly`: the agent refuses every Docker change (`--docker-read-only`); absent from older agents. */
export interface AgentCapabilities { exec: boolean; docker: boolean; terminal: boolean; dockerReadOnly?: boolean }
export interface AgentInfo {
  version: string;
  hostname: string;
  os: string;
  arch: string;
  capabilities: AgentCapabilities;
  /** Seconds between samples, from the last `hello`; absent on servers last seen by an older backend. */
  intervalSec?: number;
}

export interface Server {
  id: string;
  name: string;
  host: string | null;
  port: number | null;
  metadata: Record<string, unknown>;
  status: ServerStatus;
  lastSeen: string | null;
  createdAt: string;
  updatedAt: string;
  agent: AgentInfo | null;
  /** The caller's access (GET /servers and GET /servers/{id}); see docs/access.md. */
  access?: ServerAccess;
  /** Labels to filter and group by (`GET /servers?tag=`): lower-case, see `TAG_PATTERN` in tags.ts; at most 20. */
  tags: string[];
}
export interface CreateServerRequest { name: string; host?: string | null; port?: number | null; metadata?: Record<string, unknown>; tags?: string[] }
export type UpdateServerRequest = Partial<CreateServerRequest>;

export interface ApiKey {
  id: string;
  serverId: string;
  name: string | null;
  /** The key's first 12 characters (`cok_` + 8), to tell keys apart; never enough to use it. */
  keyPrefix: string;
  isActive: boolean;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}
/** Returned once, on creation: the only time the plaintext key is visible. */
export interface CreatedApiKey extends ApiKey { key: string }
export interface CreateApiKeyRequest { serverId: string; name?: string; expiresAt?: string | null }
export interface ApiKeyIdentity { serverId: string; keyId: string; name: string | null; isActive: boolean }

export interface AuditEntry {
  id: string;
  userId: string | null;
  serverId: string | null;
  action: string;
  description: string;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  createdAt: string;
  /** The owner of the personal server the entry is about (at the time), null when there is none. */
  ownerId: string | null;
  /** The team the entry is about (a team server's or a team action's); null when none. */
  teamId?: string | null;
  /** An admin acted on a server owned by someone else, or on a team server without a role in the team (break-glass). */
  actingAsAdmin: boolean;
  /** The chat door the action came through (ChatOps); null: REST or the dashboard's pages. */
  channel: ChatChannel | null;
}
export interface AuditPage { items: AuditEntry[]; nextCursor: string | null }

export interface HealthStatus { status: 'ok' | 'error'; database?: 'up' | 'down' }
