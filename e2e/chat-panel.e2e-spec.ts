import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The chat panel in a real Chromium, against the built backend and a real agent with exec on: the
 * empty conversation invites `status`; `stat` completes to `status` (Tab), which answers with the fleet card; `run … -- uname -a`
 * asks for confirmation (countdown), Confirm runs it once and the output is shown; a longer `run`
 * streams its lines into the card before it ends (over /live), then the final card; the drawer
 * opened on the server page carries the server as context.
 */
describe('chat panel end to end', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let token = '';
  let serverId = '';
  const SERVER = 'chat-e2e-1';
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const api = apiClient(() => backend.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => `--- backend ---\n${backend.output().slice(-4000)}\n--- agent ---\n${agent?.output().slice(-4000) ?? ''}`;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  /** Types a message into the panel's box and sends it with Enter. */
  const say = async (root: Page | Locator, text: string) => {
    const box = root.getByTestId('chat-input');
    await box.fill(text);
    await box.press('Enter');
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    const reg = await fetch(`${backend.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'chat@example.test', username: 'chatter', password: 'correct horse battery' }),
    });
    expect(reg.ok).toBe(true);
    token = ((await reg.json()) as { accessToken: string }).accessToken;
    serverId = (await api('POST', '/servers', { name: SERVER })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId })).body.key;
    agent = startAgent(backend.baseUrl, key, ['--enable-exec']);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online', 30_000, 'the agent online', logs);

    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    ctx.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    await page.goto(`${backend.baseUrl}/login`);
    await page.getByLabel('Username or email').fill('chatter');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
  });

  afterAll(async () => {
    await ctx?.close();
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  it('completes `stat` to `status` (Tab) and answers with the fleet card', async () => {
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.waitForURL(`${backend.baseUrl}/chat`);
    await expect(page.getByTestId('chat-empty').textContent()).resolves.toContain('Try help or status');

    // Completion: the command name, accepted with Tab.
    const box = page.getByTestId('chat-input');
    await box.fill('stat');
    await page.getByTestId('chat-suggestions').getByRole('option', { name: /status/ }).first().waitFor();
    await box.press('Tab');
    expect(await box.inputValue()).toBe('status ');
    await box.press('Enter');
    const card = page.getByTestId('chat-reply').last();
    await card.getByTestId('chat-table').waitFor();
    const row = card.getByRole('row').filter({ hasText: SERVER });
    await expect(row.textContent()).resolves.toContain('online');
    await expect(card.locator('dl').textContent()).resolves.toMatch(/Servers\s*1/);
    await shot('chat-status');
  });

  it('runs `uname -a` after the confirm step and shows the output', async () => {
    await say(page, `run ${SERVER} -- uname -a`);
    const confirm = page.getByTestId('chat-confirm').last();
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toContain(`uname -a`);
    const countdown = Number((await confirm.getByTestId('chat-countdown').textContent())?.match(/\d+/)?.[0]);
    expect(countdown).toBeGreaterThan(40);
    expect(countdown).toBeLessThanOrEqual(60);
    await confirm.getByTestId('chat-confirm-button').click();
    await confirm.getByText('Confirmed').waitFor();

    const output = page.getByTestId('chat-output').last();
    await output.waitFor({ timeout: 40_000 });
    expect(await output.textContent()).toMatch(/Linux/);
    await expect(page.getByTestId('chat-reply').last().locator('h3').textContent()).resolves.toMatch(/uname -a on chat-e2e-1: completed \(exit 0\)/);
    await shot('chat-run');
  });

  it('streams a long `run`: lines appear while it runs, then the final card replaces them', async () => {
    await say(page, `run ${SERVER} -- for i in 1 2 3 4 5; do echo tick $i; sleep 0.4; done`);
    const confirm = page.getByTestId('chat-confirm').last();
    await confirm.getByTestId('chat-confirm-button').click();
    // In one look at the page: the first line is there, the command has not ended yet.
    const seen = await page.waitForFunction(() => {
      const cards = document.querySelectorAll('[data-testid=chat-reply]');
      const card = cards[cards.length - 1];
      const out = card?.querySelector('[data-testid=chat-stream-output]')?.textContent ?? '';
      const running = card?.querySelector('[data-testid=chat-stream-state]')?.textContent?.includes('Running') ?? false;
      return out.includes('tick 1') && running ? out : null;
    }, undefined, { timeout: 20_000 });
    expect(await seen.jsonValue()).not.toContain('tick 5');
    const last = page.getByTestId('chat-reply').last();
    await last.locator('h3', { hasText: 'completed (exit 0)' }).waitFor({ timeout: 20_000 });
    expect(await last.getByTestId('chat-output').textContent()).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
    await expect(last.getByTestId('chat-stream').count()).resolves.toBe(0);
    // The confirmation card says how it ended, and a reload shows the final card from the history.
    await expect(page.getByTestId('chat-confirm-state').last().textContent()).resolves.toContain('Confirmed');
    await page.reload();
    const reloaded = page.getByTestId('chat-reply').last();
    await reloaded.locator('h3', { hasText: 'completed (exit 0)' }).waitFor();
    await expect(reloaded.getByTestId('chat-output').textContent()).resolves.toContain('tick 5');
    await expect(page.getByTestId('chat-confirm-state').last().textContent()).resolves.toMatch(/Confirmed by chatter/);
    await shot('chat-run-streamed');
  });

  it('opens the drawer from a server page with the server as context and its chart inline', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}`);
    await page.getByTestId('chat-toggle').click();
    const drawer = page.locator('mat-sidenav.chat-drawer');
    // It opens on the message box.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'chat-input');
    await drawer.getByTestId('chat-context').filter({ hasText: SERVER }).waitFor();
    // The server's conversation: the `run` above was about it.
    await drawer.getByTestId('chat-message').filter({ hasText: 'uname -a' }).first().waitFor();
    await say(drawer, 'status');
    const card = drawer.getByTestId('chat-reply').last();
    await card.locator('h3', { hasText: `${SERVER}: online` }).waitFor();
    // Its chart reference, drawn inline from the metrics history.
    await card.getByTestId('chat-chart').locator('canvas').waitFor();
    await shot('chat-drawer');
    expect(pageErrors).toEqual([]);
  });

  it('fits a phone: the drawer takes the width, a wide table scrolls inside its card', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${backend.baseUrl}/servers/${serverId}`);
    await page.getByTestId('chat-toggle').click();
    const drawer = page.locator('mat-sidenav.chat-drawer');
    // Without the server context, `status` is the fleet with its (wide) table.
    await drawer.getByTestId('chat-context').getByRole('button').click();
    await say(drawer, 'status');
    await drawer.getByTestId('chat-reply').last().getByTestId('chat-table').waitFor();
    const box = await drawer.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expect(drawer.getByTestId('chat-input').isVisible()).resolves.toBe(true);
    await shot('chat-drawer-phone');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
