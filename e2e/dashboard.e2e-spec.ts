import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The user journey of the dashboard in a real Chromium, against the real backend (embedded
 * PostgreSQL) and a real agent process started with the key the wizard shows.
 */
describe('dashboard end to end', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let session: { accessToken: string } | null = null;
  let serverId = '';
  /** Content-Security-Policy violations the browser reported, on any page: there must be none. */
  const cspViolations: string[] = [];
  /** URLs of the WebSockets the dashboard opened (the /live socket, same origin under connect-src 'self'). */
  const webSockets: string[] = [];
  const refreshCookie = async () => (await ctx.cookies()).find((c) => c.name === 'chatops_refresh');
  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    // The browser first: without Chromium this fails at once, before a backend is left running.
    browser = await launchBrowser();
    backend = await startBackend();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await ctx.newPage();
    // remember the newest access token the app receives, to probe the API after logout
    page.on('response', async (res) => {
      if (/\/api\/v1\/auth\/(register|login|refresh)$/.test(res.url()) && res.ok()) {
        session = (await res.json().catch(() => null)) ?? session;
      }
    });
    ctx.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    page.on('websocket', (ws) => webSockets.push(ws.url()));
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  it('serves a working login page under the strict security headers', async () => {
    const res = await page.goto(`${backend.baseUrl}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res?.headers()['x-frame-options']).toBe('DENY');
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username or email').waitFor();
    await expect(page.getByRole('heading', { name: 'Sign in to ChatOps' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /sign in/i }).isEnabled()).resolves.toBe(true);
    expect(await refreshCookie()).toBeUndefined();
    await shot('login');
  });

  it('registers a user and lands on the empty overview', async () => {
    await page.goto(`${backend.baseUrl}/register`);
    await page.getByLabel('Email').fill('ops@example.test');
    await page.getByLabel('Username').fill('ops');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /create account|register|sign up/i }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
    await page.getByText(/add server/i).first().waitFor();
    expect(session?.accessToken).toBeTruthy();
    expect(session).not.toHaveProperty('refreshToken');
  });

  it('keeps the refresh token in an HttpOnly cookie only, and the session across a reload', async () => {
    const cookie = await refreshCookie();
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const visibleToScripts = () => page.evaluate(() => ({
      cookies: document.cookie,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      keys: [...Object.keys(localStorage), ...Object.keys(sessionStorage)],
    }));
    const before = await visibleToScripts();
    expect(before.cookies).not.toContain('chatops_refresh');
    expect(before.storage).not.toContain(cookie!.value);
    expect(before.storage).not.toContain(session!.accessToken);
    expect(before.keys).not.toContain('chatops.refresh');

    const restored = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
    await page.reload();
    expect((await restored).status()).toBe(200);
    await page.getByTestId('live-status').filter({ hasText: /connected/i }).waitFor();
    await page.getByText(/add server/i).first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const rotated = await refreshCookie();
    expect(rotated?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated?.value).not.toBe(cookie!.value); // the restore rotated it
    const after = await visibleToScripts();
    expect(after.storage).not.toContain(rotated!.value);
    expect(after.storage).not.toContain(session!.accessToken);
    expect(after.cookies).not.toContain('chatops_refresh');
  });

  it('adds a server with the wizard, and the card turns online when the shown agent command runs', async () => {
    await page.goto(`${backend.baseUrl}/servers/new`);
    await page.getByTestId('server-name').fill('e2e-web-1');
    await page.getByTestId('create-server').click();
    await page.waitForFunction(() => /cok_/.test(document.querySelector('[data-testid="api-key"] code')?.textContent ?? ''));
    await page.locator('[data-testid="api-key"] code').waitFor({ state: 'visible' });
    const key = ((await page.locator('[data-testid="api-key"] code').textContent()) ?? '').trim();
    expect(key).toMatch(/^cok_[A-Za-z0-9_-]{43}$/);
    const repoCmd = (await page.locator('[data-testid="cmd-repo"] code').textContent()) ?? '';
    expect(repoCmd).toContain(key);
    expect(repoCmd).toContain('npm run agent');
    serverId = page.url().match(/[0-9a-f-]{36}/)?.[0] ?? '';
    await shot('add-server-key');

    agent = startAgent(backend.baseUrl, key);
    await page.getByRole('button', { name: 'I started the agent' }).click();
    await page.locator('[data-testid="agent-state"].online').waitFor({ timeout: 20_000 });
    await shot('add-server-connected');

    await page.goto(`${backend.baseUrl}/`);
    const card = page.getByTestId('server-card').filter({ hasText: 'e2e-web-1' });
    await card.getByTestId('status-chip').filter({ hasText: /online/i }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(2500); // let the fleet stream draw a few sparkline points for the screenshot
    await shot('overview');
    if (!serverId) serverId = (await card.locator('h2 a').getAttribute('href'))!.split('/').pop()!;
  });

  it('shows live charts that receive new points, and history for 1h', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}`);
    const cpu = page.getByTestId('chart-cpu');
    await cpu.waitFor();
    const points = async () => Number((await cpu.getAttribute('aria-label'))?.match(/(\d+) points/)?.[1] ?? 0);
    await page.waitForFunction(() => /[1-9]\d* points/.test(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label') ?? ''), null, { timeout: 15_000 });
    const before = await points();
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label')?.match(/(\d+) points/)?.[1] ?? 0) > n,
      before, { timeout: 15_000 },
    );
    await shot('server-detail');

    // the page opens on 1h: go to 15m, then back to 1h, and check what 1h loads
    const quarter = page.waitForResponse((r) => r.url().includes(`/api/v1/metrics/${serverId}/history`) && r.ok());
    await page.locator('mat-button-toggle', { hasText: /^15m$/ }).click();
    await quarter;
    const history = page.waitForResponse((r) => r.url().includes(`/api/v1/metrics/${serverId}/history`) && r.ok());
    await page.locator('mat-button-toggle', { hasText: /^1h$/ }).click();
    const res = await history;
    const body = await res.json();
    expect(body.points.length).toBeGreaterThan(0);
    expect(body.points.length).toBeLessThanOrEqual(300);
    expect(body.points.some((p: { cpuPercent: number | null }) => p.cpuPercent !== null)).toBe(true);
    expect(new Date(body.end).getTime() - new Date(body.start).getTime()).toBeGreaterThanOrEqual(3_599_000);
  });

  it('shows another user a not-found page for this server', async () => {
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${backend.baseUrl}/register`);
    await p2.getByLabel('Email').fill('eve@example.test');
    await p2.getByLabel('Username').fill('eve');
    await p2.getByLabel('Password').fill('another long password');
    await p2.getByRole('button', { name: /create account|register|sign up/i }).click();
    await p2.waitForURL(`${backend.baseUrl}/`);
    await p2.goto(`${backend.baseUrl}/servers/${serverId}`);
    await p2.getByText(/not found/i).first().waitFor();
    expect(await p2.getByText('e2e-web-1').count()).toBe(0);
    await shot('not-found', p2);
    await other.close();
  });

  it('serves Swagger UI that works under its Content-Security-Policy', async () => {
    const docs = await ctx.newPage();
    const res = await docs.goto(`${backend.baseUrl}/api/docs`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await docs.locator('.swagger-ui .info .title').filter({ hasText: 'ChatOps API' }).waitFor();
    await docs.locator('.opblock').first().waitFor();
    expect(await docs.locator('.opblock').count()).toBeGreaterThan(10);
    await docs.close();
  });

  it('connected /live over a same-origin WebSocket, with no CSP violation anywhere', () => {
    const origin = new URL(backend.baseUrl).host;
    expect(webSockets.length).toBeGreaterThan(0);
    for (const url of webSockets) expect(url).toMatch(new RegExp(`^ws://${origin.replace(/\./g, '\\.')}/socket\\.io/\\?.*transport=websocket`));
    expect(cspViolations).toEqual([]);
  });

  it('logs out, and the old session cannot reach the API', async () => {
    const old = session!;
    const oldCookie = (await refreshCookie())!.value;
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    expect(await refreshCookie()).toBeUndefined(); // cleared by the server
    const me = await fetch(`${backend.baseUrl}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${old.accessToken}` } });
    expect(me.status).toBe(401);
    const refreshed = await fetch(`${backend.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST', headers: { 'X-ChatOps-Refresh': '1', Cookie: `chatops_refresh=${oldCookie}` },
    });
    expect(refreshed.status).toBe(401);
    // a reload does not bring the session back
    await page.goto(`${backend.baseUrl}/`);
    await page.waitForURL(/\/login/);
  });
});
