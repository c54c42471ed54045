import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser, registerUser } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The accessibility gate: axe (WCAG 2 A/AA and best practices, see support/axe.ts) on every page of
 * the dashboard in a real Chromium, against the built backend and a real agent (exec and terminal
 * on, so those tabs show their working state), light and dark, desktop and a 390 px phone. Any
 * violation fails the run; the failure lists each one with the page, rule and element.
 */
describe('accessibility (axe) on every page', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let token = '';
  let serverId = '';
  let alertId = '';
  const USER = 'a11y';
  const PASSWORD = 'correct horse battery';
  const SERVER = 'a11y-box';
  const api = apiClient(() => backend.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => `--- backend ---\n${backend.output().slice(-4000)}\n--- agent ---\n${agent?.output().slice(-4000) ?? ''}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    token = await registerUser(backend.baseUrl, USER, PASSWORD);
    serverId = (await api('POST', '/servers', { name: SERVER })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId, name: 'a11y agent' })).body.key;
    agent = startAgent(backend.baseUrl, key, ['--enable-exec', '--enable-terminal']);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online' && r.body?.agent?.capabilities?.terminal === true,
      30_000, 'the agent online with exec and the terminal on', logs);
    // Content for the lists: a rule that fires at once (memory in use > 1 %), and a command in the history.
    expect((await api('POST', '/alerts/thresholds', { serverId, name: 'memory in use', metricType: 'memory', comparison: 'gt', thresholdValue: 1, severity: 'warning', durationSec: 0 })).status).toBe(201);
    alertId = (await until(() => api('GET', '/alerts'), (r) => r.body?.items?.length > 0, 30_000, 'the alert to fire', logs)).body.items[0].id;
    expect((await api('POST', `/commands/${serverId}`, { command: 'echo accessible' })).status).toBe(200);
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  /** One page (or state of a page) to check: where to go, what shows it is ready, what to do first. */
  interface Visit { name: string; path: string; ready: (page: Page) => Promise<unknown> }

  const testId = (page: Page, id: string) => page.getByTestId(id).first().waitFor({ timeout: 20_000 });
  const signedInVisits = (): Visit[] => [
    { name: 'overview', path: '/', ready: (p) => p.getByTestId('server-card').or(p.locator('tr', { hasText: SERVER })).first().waitFor({ timeout: 20_000 }) },
    { name: 'add server', path: '/servers/new', ready: (p) => p.getByRole('heading', { level: 1, name: 'Add a server' }).waitFor() },
    { name: 'server overview (metrics, processes)', path: `/servers/${serverId}`, ready: async (p) => {
      await p.waitForFunction(() => /[1-9]\d* points/.test(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label') ?? ''), null, { timeout: 20_000 });
      await testId(p, 'processes');
    } },
    { name: 'server commands', path: `/servers/${serverId}/commands`, ready: (p) => testId(p, 'history-row') },
    { name: 'server terminal', path: `/servers/${serverId}/terminal`, ready: async (p) => {
      await p.getByTestId('terminal-connect').click();
      await p.getByTestId('terminal-status').filter({ hasText: /Connected to/ }).waitFor({ timeout: 20_000 });
      await p.locator('[data-testid=terminal] .xterm-rows').waitFor();
    } },
    { name: 'server containers (no Docker on the agent)', path: `/servers/${serverId}/containers`, ready: (p) => testId(p, 'docker-off') },
    { name: 'server alerts', path: `/servers/${serverId}/alerts`, ready: (p) => testId(p, 'alert-row') },
    { name: 'server sessions', path: `/servers/${serverId}/sessions`, ready: (p) => testId(p, 'session-row') },
    { name: 'server settings', path: `/servers/${serverId}/settings`, ready: (p) => testId(p, 'api-key-row') },
    { name: 'alerts', path: '/alerts', ready: (p) => testId(p, 'alert-row') },
    { name: 'alert rules', path: '/alerts/rules', ready: (p) => p.getByText('memory in use').first().waitFor() },
    { name: 'silences', path: '/alerts/silences', ready: (p) => p.getByRole('tab', { name: /Silences/, selected: true }).waitFor() },
    { name: 'notification channels', path: '/alerts/channels', ready: (p) => p.getByText('No notification channel yet').waitFor() },
    { name: 'alert detail', path: `/alerts/${alertId}`, ready: (p) => p.getByRole('heading', { level: 1 }).waitFor() },
    { name: 'audit log', path: '/audit', ready: (p) => testId(p, 'audit-row') },
    { name: 'chat page', path: '/chat', ready: (p) => testId(p, 'chat-empty') },
    { name: 'teams (none yet)', path: '/teams', ready: (p) => p.getByText('No teams yet').waitFor() },
    { name: 'join a team (unknown invite link)', path: `/teams/join/${'x'.repeat(43)}`, ready: (p) => testId(p, 'join-refused') },
    { name: 'administration: users', path: '/admin', ready: (p) => testId(p, 'user-row') },
    { name: 'administration: registration', path: '/admin', ready: async (p) => {
      await p.getByRole('tab', { name: 'Registration' }).click();
      await testId(p, 'invites-empty');
    } },
    { name: 'profile (sessions, API tokens)', path: '/profile', ready: async (p) => {
      await p.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
      await testId(p, 'session');
      await testId(p, 'tokens-empty');
    } },
    { name: 'not found', path: '/no-such-page', ready: (p) => testId(p, 'not-found') },
  ];

  /** Which theme colour roles fill an element: its background and text against --mat-sys-error / on-error / primary. */
  const filledWith = (page: Page, selector: string) => page.locator(selector).evaluate((el) => {
    const probe = document.createElement('span');
    el.parentElement!.appendChild(probe);
    const role = (c: string) => {
      for (const name of ['error', 'on-error', 'primary', 'on-primary']) {
        probe.style.color = `var(--mat-sys-${name})`;
        if (getComputedStyle(probe).color === c) return name;
      }
      return c;
    };
    const s = getComputedStyle(el);
    const answer = { background: role(s.backgroundColor), text: role(s.color) };
    probe.remove();
    return answer;
  });

  const configs = [
    { name: 'light, desktop', colorScheme: 'light' as const, viewport: { width: 1440, height: 900 } },
    { name: 'dark, desktop', colorScheme: 'dark' as const, viewport: { width: 1440, height: 900 } },
    { name: 'dark, 390 px phone', colorScheme: 'dark' as const, viewport: { width: 390, height: 844 } },
    { name: 'light, 390 px phone', colorScheme: 'light' as const, viewport: { width: 390, height: 844 } },
  ];

  it.each(configs)('finds no violation on any page ($name)', async ({ colorScheme, viewport }) => {
    // The theme follows the system (the default): colorScheme picks light or dark. Reduced motion
    // keeps axe from measuring colours halfway through a fade.
    const ctx: BrowserContext = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const found: string[] = [];
    const check = async (where: string) => found.push(...describeViolations(where, await axeViolations(page)));
    const visit = async (v: Visit) => {
      await page.goto(`${backend.baseUrl}${v.path}`);
      await v.ready(page);
      await check(v.name);
    };
    try {
      await visit({ name: 'sign in', path: '/login', ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor() });
      await visit({ name: 'register', path: '/register', ready: (p) => p.getByRole('heading', { level: 1 }).waitFor() });
      // A failed sign-in: the inline error.
      await page.goto(`${backend.baseUrl}/login`);
      await page.getByLabel('Username or email').fill(USER);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await testId(page, 'login-error');
      await check('sign in, wrong password');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${backend.baseUrl}/`);

      for (const v of signedInVisits()) await visit(v);

      // Overlays: the account menu, the chat drawer, a confirmation dialog.
      await visit(signedInVisits()[0]);
      await page.getByRole('button', { name: 'Account menu' }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
      await check('account menu');
      await page.keyboard.press('Escape');
      await page.getByTestId('chat-toggle').click();
      await testId(page, 'chat-input');
      await check('chat drawer');
      await page.keyboard.press('Escape');

      await page.goto(`${backend.baseUrl}/servers/${serverId}/settings`);
      // "Delete server" and the dialog's confirm button are drawn in the theme's error colour.
      expect(await filledWith(page, '[data-testid=delete-server]')).toEqual({ background: 'error', text: 'on-error' });
      await page.getByTestId('delete-server').click();
      await page.getByRole('dialog').waitFor();
      await page.getByTestId('confirm-input').fill(SERVER);
      expect(await filledWith(page, '[data-testid=confirm-button]')).toEqual({ background: 'error', text: 'on-error' });
      await check('delete server dialog');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      // An error toast: a key deactivation the server refuses (answered here: the agent keeps its key).
      // The request id is under Details, not in the sentence, and the toast does not follow the user.
      await page.route('**/api/v1/api-keys/*/deactivate', (route) => route.fulfill({
        status: 500, contentType: 'application/json',
        body: JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong', requestId: 'req-a11y' }),
      }));
      await page.getByTestId('api-key-row').first().getByRole('button', { name: /^Deactivate key/ }).click();
      await page.getByTestId('confirm-button').click();
      const toast = page.locator('mat-snack-bar-container');
      await toast.getByTestId('toast-message').waitFor();
      expect(await toast.getByTestId('toast-message').textContent()).toBe('Something went wrong');
      expect(await toast.locator('details summary').textContent()).toBe('Details');
      // The confirmation closed: its dialog (which hides the page from assistive technology while
      // open) is gone before the toast is judged.
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await check('error toast');
      await page.unroute('**/api/v1/api-keys/*/deactivate');
      await page.getByTestId('open-alerts-badge').click();
      await page.waitForURL(`${backend.baseUrl}/alerts`);
      await toast.waitFor({ state: 'detached' });

      // A refused submit, said in its form: a wrong current password.
      await page.goto(`${backend.baseUrl}/profile`);
      await page.getByLabel('Current password').fill('not my password');
      await page.getByLabel(/^New password/).fill('another long password');
      await page.getByLabel('Repeat new password').fill('another long password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await testId(page, 'form-error');
      expect(await page.getByTestId('form-error-message').textContent()).toBe('Current password is incorrect');
      expect(await toast.count()).toBe(0);
      await check('profile, refused password change');
    } finally {
      await ctx.close();
    }
    expect(pageErrors).toEqual([]);
    expect(found).toEqual([]);
  }, 240_000);
});
