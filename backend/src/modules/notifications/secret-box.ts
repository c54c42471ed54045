import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Channel secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from NOTIFY_SECRET_KEY, or
 * from the JWT secret when that is unset. Sealed text is `v1.<base64url(iv | tag | ciphertext)>`;
 * tampering or a different key makes `open` throw. Plain text is never logged.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `purpose` separates keys derived from the same material (notification channels, chat integrations). */
  constructor(keyMaterial: string, purpose = 'notification channel secrets v1') {
    this.key = Buffer.from(hkdfSync('sha256', keyMaterial, 'chatops', purpose, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string): string {
    const [version, data] = sealed.split('.');
    if (version !== VERSION || !data) throw new Error('unknown secret format');
    const raw = Buffer.from(data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

export const SECRET_BOX = Symbol('SECRET_BOX');
