import { createSecretKey, KeyObject } from 'node:crypto';

/**
 * The HMAC key for access tokens as a KeyObject. Given a string, jsonwebtoken first tries to
 * parse it as a PEM/DER public (verify) or private (sign) key through OpenSSL's decoders and only
 * then falls back to a secret key: ≈ 0.4 ms of CPU on every sign and verify, measured here
 * (12–16 µs with a KeyObject). The bytes are the same, so tokens signed either way verify alike.
 */
export function jwtHmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
