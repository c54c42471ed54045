/** REST shapes (CONTRACT.md). JSON is camelCase, ids are UUIDs, times ISO-8601 UTC strings. */
import type { ServerStatus, UserRole } from './enums';

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
}

export interface RegisterRequest { email: string; username: string; password: string; fullName?: string }
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

export interface AgentCapabilities { exec: boolean; docker: boolean; terminal: boolean }
export interface AgentInfo {
  version: string;
  hostname: string;
  os: string;
  arch: string;
  capabilities: AgentCapabilities;
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
}
export interface CreateServerRequest { name: string; host?: string | null; port?: number | null; metadata?: Record<string, unknown> }
export type UpdateServerRequest = Partial<CreateServerRequest>;

export interface ApiKey {
  id: string;
  serverId: string;
  name: string | null;
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
}
export interface AuditPage { items: AuditEntry[]; nextCursor: string | null }

export interface HealthStatus { status: 'ok' | 'error'; database?: 'up' | 'down' }
