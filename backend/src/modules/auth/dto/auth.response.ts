import type { BrowserAuthResponse, User, UserRole } from '@chatops/protocol';

export class UserResponse implements User {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  /** `admin` (the first user) or `user`. */
  role: UserRole;
  createdAt: string;
  /** Present (true) while the user has a temporary password to change: only change-password, logout and `me` work. */
  mustChangePassword?: boolean;
}

export class AuthTokensResponse implements BrowserAuthResponse {
  user: UserResponse;
  /** JWT access token (30 minutes by default), sent as `Authorization: Bearer`. */
  accessToken: string;
  /**
   * Opaque refresh token (7 days), single use: each refresh returns a new one. Always present,
   * except when the request sent `X-ChatOps-Refresh: 1`: then it is set as the HttpOnly cookie
   * `chatops_refresh` (path /api/v1/auth) and left out of the body.
   */
  refreshToken?: string;
  tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  expiresIn: number;
}
