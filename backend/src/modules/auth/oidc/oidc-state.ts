import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What the login step must hand to the callback: kept in the browser, sealed (AES-256-GCM). */
export interface OidcPendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A path of this app to land on after signing in. */
  returnTo: string;
  /** Epoch ms after which the callback refuses it. */
  expiresAt: number;
}

export const OIDC_STATE_COOKIE = 'chatops_oidc';
/** Only the callback ever receives the cookie (the REST prefix is api/v1). */
export const OIDC_STATE_COOKIE_PATH = '/api/v1/auth/oidc';
/** How long a person has at the provider to sign in. */
export const OIDC_STATE_TTL_MS = 10 * 60_000;

/**
 * Seals the pending sign-in into a cookie value: encrypted and authenticated with a key derived
 * from the JWT secret, so the browser can neither read the PKCE verifier nor forge a state, and
 * every instance behind a load balancer can open it (nothing is kept server-side).
 */
export class OidcStateSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'chatops-oidc-state-v1', 32));
  }

  seal(pending: OidcPendingSignIn): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The pending sign-in, or null for anything forged, damaged, malformed or expired. */
  open(value: string | null | undefined, now = Date.now()): OidcPendingSignIn | null {
    if (!value || value.length > 4096) return null;
    try {
      const raw = Buffer.from(value, 'base64url');
      if (raw.length < 29) return null;
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const p = JSON.parse(json) as Partial<OidcPendingSignIn>;
      const strings = [p.state, p.nonce, p.codeVerifier, p.returnTo].every((v) => typeof v === 'string' && v.length > 0);
      if (!strings || typeof p.expiresAt !== 'number' || p.expiresAt <= now) return null;
      return p as OidcPendingSignIn;
    } catch {
      return null;
    }
  }
}

/** Only same-app paths: never send a person to another origin after signing in. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || value.startsWith('/login')) return '/';
  if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
  return value;
}
