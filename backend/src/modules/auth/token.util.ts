import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: an opaque bearer secret (refresh tokens, API key bodies). */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Secrets are stored and looked up by SHA-256: they are random, so no salt or slow hash is needed. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
