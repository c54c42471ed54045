import { OidcStateSealer, safeReturnTo } from './oidc-state';

describe('OidcStateSealer', () => {
  const pending = { state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43), returnTo: '/servers', expiresAt: Date.now() + 60_000 };

  it('opens what it sealed, and the sealed value does not show the verifier', () => {
    const sealer = new OidcStateSealer('a'.repeat(40));
    const sealed = sealer.seal(pending);
    expect(sealed).not.toContain(pending.codeVerifier);
    expect(sealer.open(sealed)).toEqual(pending);
  });

  it('refuses another key, a flipped byte, garbage, and an expired state', () => {
    const sealer = new OidcStateSealer('a'.repeat(40));
    const sealed = sealer.seal(pending);
    expect(new OidcStateSealer('b'.repeat(40)).open(sealed)).toBeNull();
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(sealer.open(raw.toString('base64url'))).toBeNull();
    for (const junk of [null, undefined, '', 'x', '%%%', 'A'.repeat(5000)]) expect(sealer.open(junk)).toBeNull();
    expect(sealer.open(sealer.seal({ ...pending, expiresAt: Date.now() - 1 }))).toBeNull();
  });
});

describe('safeReturnTo', () => {
  it('keeps paths of the app and sends anything else to /', () => {
    expect(safeReturnTo('/servers/1?tab=metrics')).toBe('/servers/1?tab=metrics');
    for (const bad of ['//evil.test', '/\\evil.test', 'https://evil.test', 'servers', '/login', '/a\nb', 42, undefined]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});
