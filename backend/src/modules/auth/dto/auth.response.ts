import type { AuthResponse, User, UserRole } from '@chatops/protocol';

export class UserResponse implements User {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  /** `admin` (the first user) or `user`. */
  role: UserRole;
  createdAt: string;
}

export class AuthTokensResponse implements AuthResponse {
  user: UserResponse;
  /** JWT access token (30 minutes by default), sent as `Authorization: Bearer`. */
  accessToken: string;
  /** Opaque refresh token (7 days), single use: each refresh returns a new one. */
  refreshToken: string;
  tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  expiresIn: number;
}
