import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startOidcProvider, TestOidcProvider } from '../backend/test/support/oidc-provider';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { freePort, Proc, startBackend } from './support/processes';

/**
 * Single sign-on in a real Chromium: the built backend configured with a real OpenID Connect
 * provider (oidc-provider, its own process); the sign-in page shows the provider's button, and
 * clicking it goes through the provider and lands signed in on the dashboard, with the session in
 * the HttpOnly refresh cookie and no token in any URL.
 */
describe('OpenID Connect sign-in in the browser', () => {
  let backend: Proc & { baseUrl: string };
  let provider: TestOidcProvider;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const visited: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
    provider = await startOidcProvider({
      redirectUri,
      users: { 'dana-sub': { email: 'dana@corp.test', email_verified: true, name: 'Dana Ops', preferred_username: 'dana', groups: ['ops'] } },
    });
    backend = await startBackend({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_ALLOW_HTTP: 'true',
      OIDC_BUTTON_LABEL: 'Sign in with Corp SSO',
    }, port);
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await ctx.newPage();
    page.on('request', (req) => { if (req.isNavigationRequest()) visited.push(req.url()); });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
    await provider?.stop();
  });

  it('shows the single sign-on button on the sign-in page, next to the password form', async () => {
    await page.goto(`${backend.baseUrl}/login`);
    const sso = page.getByRole('link', { name: 'Sign in with Corp SSO' });
    await sso.waitFor();
    await expect(page.getByLabel('Username or email').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'login-sso.png'), fullPage: true });
  });

  it('goes through the provider and lands signed in on the dashboard', async () => {
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
    await page.getByText(/add server/i).first().waitFor();
    // It went to the provider and came back through the callback.
    expect(visited.some((u) => u.startsWith(provider.issuer))).toBe(true);
    expect(visited.some((u) => u.startsWith(`${backend.baseUrl}/api/v1/auth/oidc/callback?`))).toBe(true);
    // No token in any URL; the session is the HttpOnly refresh cookie; the state cookie is gone.
    for (const u of visited) expect(u).not.toMatch(/accessToken|refreshToken|cop_/);
    const cookies = (await ctx.cookies()).filter((c) => c.domain === '127.0.0.1');
    expect(cookies.find((c) => c.name === 'chatops_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((c) => c.name === 'chatops_oidc')).toBeUndefined();
    // The account menu names the person the provider signed in.
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByText('Dana Ops').waitFor();
    expect(pageErrors).toEqual([]);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(SCREENSHOTS, 'signed-in-sso.png'), fullPage: true });
  });

  it('creates a personal API token in Profile that scripts can use, shown once, then revokes it', async () => {
    await page.goto(`${backend.baseUrl}/profile`);
    await page.getByTestId('tokens-empty').waitFor();
    await page.getByLabel('Token name').fill('nightly report');
    await page.getByRole('button', { name: 'Create token' }).click();
    const once = page.getByTestId('token-once');
    await once.waitFor();
    const secret = (await once.locator('pre code').textContent())!.trim();
    expect(secret).toMatch(/^cop_[A-Za-z0-9_-]{43}$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'profile-api-token.png'), fullPage: true });
    const me = await fetch(`${backend.baseUrl}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('dana');

    await page.getByRole('button', { name: 'I saved it' }).click();
    await page.getByRole('button', { name: 'Revoke token nightly report' }).click();
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('tokens-empty').waitFor();
    const after = await fetch(`${backend.baseUrl}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('token.revoked');
    expect(pageErrors).toEqual([]);
  });

  it('lands back on the sign-in page with an explanation when the provider refuses', async () => {
    await ctx.clearCookies();
    await provider.deny(true);
    await page.goto(`${backend.baseUrl}/login`);
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
    await page.waitForURL(/\/login\?oidcError=oidc\.denied/);
    await page.getByTestId('oidc-error').filter({ hasText: 'did not allow' }).waitFor();
  });
});
