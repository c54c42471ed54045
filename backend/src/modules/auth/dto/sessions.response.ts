import type { UserSession } from '@chatops/protocol';

export class UserSessionResponse implements UserSession {
  /** The session (refresh-token family) id. */
  id: string;
  /** The session this request was made with. */
  current: boolean;
  /** When the user signed in. */
  createdAt: string;
  /** The last sign-in or token renewal. */
  lastUsedAt: string;
  /** When the session ends unless it is renewed. */
  expiresAt: string;
  /** Client address at the last renewal, as the backend saw it (TRUST_PROXY). */
  ip: string | null;
  userAgent: string | null;
}

export class RevokedSessionsResponse {
  /** How many sessions were signed out. */
  revoked: number;
}
