import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('k'.repeat(48));

  it('seals with AES-256-GCM: a fresh IV every time, opened with the same key only', () => {
    const plain = JSON.stringify({ url: 'https://hooks.example.com/T000/B000/XXXX', secret: 'whsec-123' });
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hooks.example.com');
    expect(box.open(a)).toBe(plain);
    expect(() => new SecretBox('other'.repeat(10)).open(a)).toThrow();
  });

  it('detects tampering', () => {
    const sealed = box.seal('secret');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(`v1.${raw.toString('base64url')}`)).toThrow();
    expect(() => box.open('v2.abc')).toThrow('unknown secret format');
  });
});
