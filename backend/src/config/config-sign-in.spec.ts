import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

/** The sign-in settings are checked together at boot: a half-configured single sign-on never starts. */
describe('sign-in configuration', () => {
  const base = { CHATOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chatops-cfg-')), JWT_SECRET: 'x'.repeat(40) };
  const oidc = { OIDC_ISSUER: 'https://id.example.com/realms/ops', OIDC_CLIENT_ID: 'chatops', OIDC_CLIENT_SECRET: 'super-secret-value' };

  it('has single sign-on off and password sign-in on by default', () => {
    const c = loadConfig(base);
    expect(c.oidc).toBeNull();
    expect(c.localLogin).toBe(true);
  });

  it('derives the redirect URI from PUBLIC_URL and reads the role mapping', () => {
    const c = loadConfig({ ...base, ...oidc, PUBLIC_URL: 'https://ops.example.com/', OIDC_ADMIN_GROUPS: ' ops-admins , sre ,' });
    expect(c.oidc).toMatchObject({
      issuer: oidc.OIDC_ISSUER,
      clientId: 'chatops',
      redirectUri: 'https://ops.example.com/api/v1/auth/oidc/callback',
      scopes: 'openid profile email',
      groupsClaim: 'groups',
      adminGroups: ['ops-admins', 'sre'],
      teamMapping: [],
      linkVerifiedEmail: false,
      allowHttp: false,
    });
  });

  it('reads the team mapping', () => {
    const c = loadConfig({ ...base, ...oidc, PUBLIC_URL: 'https://ops.example.com', OIDC_TEAM_MAPPING: 'sre:Ops:operator, sre-leads:Ops:admin' });
    expect(c.oidc?.teamMapping).toEqual([{ group: 'sre', team: 'Ops', role: 'operator' }, { group: 'sre-leads', team: 'Ops', role: 'admin' }]);
  });

  it.each([
    [{ ...oidc, OIDC_CLIENT_ID: '' }, /OIDC_CLIENT_ID/],
    [{ ...oidc }, /OIDC_REDIRECT_URI/],
    [{ ...oidc, OIDC_REDIRECT_URI: 'https://ops.example.com/cb', OIDC_ISSUER: 'http://id.internal' }, /must be https/],
    [{ ...oidc, OIDC_REDIRECT_URI: 'https://ops.example.com/cb', OIDC_SCOPES: 'profile email' }, /must include "openid"/],
    [{ LOCAL_LOGIN: 'false' }, /LOCAL_LOGIN: false needs OIDC_ISSUER/],
    [{ ...oidc, OIDC_REDIRECT_URI: 'https://ops.example.com/cb', OIDC_TEAM_MAPPING: 'sre:Ops:admin,devs:Web:owner' }, /OIDC_TEAM_MAPPING: entry 2: role must be/],
  ])('refuses an incomplete setup (%#), naming the variable and never echoing the secret', (env, message) => {
    let error: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('super-secret-value');
  });

  it('accepts an http issuer only with OIDC_ALLOW_HTTP=true', () => {
    const c = loadConfig({ ...base, ...oidc, OIDC_ISSUER: 'http://127.0.0.1:9999', OIDC_REDIRECT_URI: 'http://127.0.0.1:3000/api/v1/auth/oidc/callback', OIDC_ALLOW_HTTP: 'true', LOCAL_LOGIN: 'false' });
    expect(c.oidc?.allowHttp).toBe(true);
    expect(c.localLogin).toBe(false);
  });
});
