import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A button's token is valid this long (within the replay guard's ten-minute memory). */
export const MATTERMOST_ACTION_TTL_SEC = 300;

/** What a Mattermost button's token binds: who may press it, as whom, for what, until when, once. */
export interface MattermostActionClaims {
  /** The Mattermost team and user the card was shown to. */
  teamId: string;
  chatUserId: string;
  /** The ChatOps account that user was linked to when the card was made. */
  accountId: string;
  /** The command the button sends. */
  command: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Random: the token's identity for the single-use check. */
  nonce: string;
}

interface Wire { v: 1; t: string; u: string; a: string; c: string; e: number; n: string }

/** The signing key, derived from a server secret for this purpose only. */
export const mattermostActionKey = (serverSecret: string): Buffer =>
  createHmac('sha256', serverSecret).update('chatops mattermost button tokens v1').digest();

/**
 * Mattermost posts a button's `context` to its integration URL without any signature, so the
 * context carries its own proof: the claims and an HMAC-SHA256 over them with a key only the
 * backend knows (`<claims base64url>.<mac base64url>`). Only the backend can make one; it names the
 * chat user and the account it was made for, the command, and an expiry.
 */
export function signMattermostAction(key: Buffer, claims: Omit<MattermostActionClaims, 'exp' | 'nonce'>, now = Date.now()): string {
  const wire: Wire = {
    v: 1, t: claims.teamId, u: claims.chatUserId, a: claims.accountId, c: claims.command,
    e: Math.floor(now / 1000) + MATTERMOST_ACTION_TTL_SEC, n: randomBytes(16).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

export type ActionVerdict = { ok: true; claims: MattermostActionClaims } | { ok: false; why: 'malformed' | 'signature' | 'expired' };

/** Checks the MAC (constant time) before reading anything, then the expiry. */
export function verifyMattermostAction(key: Buffer, token: unknown, now = Date.now()): ActionVerdict {
  if (typeof token !== 'string' || token.length > 8192) return { ok: false, why: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, why: 'malformed' };
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { ok: false, why: 'signature' };
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Wire>;
  } catch {
    return { ok: false, why: 'malformed' };
  }
  const strings = [wire.t, wire.u, wire.a, wire.c, wire.n];
  if (wire.v !== 1 || !strings.every((s) => typeof s === 'string' && s.length > 0) || typeof wire.e !== 'number') return { ok: false, why: 'malformed' };
  if (wire.e * 1000 <= now) return { ok: false, why: 'expired' };
  return { ok: true, claims: { teamId: wire.t!, chatUserId: wire.u!, accountId: wire.a!, command: wire.c!, exp: wire.e, nonce: wire.n! } };
}
