import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations } from './support/axe';
import { explain, launchBrowser, openDialog, registerUser, trackFailedRequests } from './support/browser';
import { apiClient, until } from './support/http';
import { BUSYBOX_IMAGE, Podman, startPodman } from './support/podman';
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
    // Every visit below is a full page load, which renews the session (POST /auth/refresh): about
    // 30 a minute per configuration, more than the 60 a minute per address a real browser never
    // nears once the runs are quick. The sign-in budgets are tested in auth-rate-limit.e2e-spec.
    backend = await startBackend({ AUTH_SESSION_RATE_LIMIT: '1000/60' });
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
    trackFailedRequests(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const found: string[] = [];
    const check = async (where: string) => found.push(...describeViolations(where, await axeViolations(page)));
    const visit = async (v: Visit) => {
      await page.goto(`${backend.baseUrl}${v.path}`);
      try {
        await v.ready(page);
      } catch (err) {
        throw new Error(`${v.name}: ${(err as Error).message}\n--- the page instead showed ---\n${await explain(page)}`);
      }
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
      await openDialog(page, page.getByTestId('delete-server'));
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
      // ... and so is the aria-hidden it put on the rest of the page, which the dialog service takes
      // off a moment after the dialog's element (on a loaded machine, after this line). Should it
      // stay, axe reports it below.
      await page.waitForFunction(() => !Array.from(document.querySelectorAll('[aria-hidden="true"]'))
        .some((el) => el.querySelector('a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex="-1"])')), null, { timeout: 5000 })
        .catch(() => undefined);
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

/**
 * The same gate on what the first part cannot show: the Containers tab with real containers (a
 * real agent on podman's Docker-compatible API: running, stopped and paused rows, a selection, the
 * drawer, the remove confirmation) and the open dialogs and one-time secrets (rule, channel, API key,
 * personal token, the admin's password reset and bulk actions) plus the password pages they lead to.
 */
describe('accessibility (axe) on containers and open dialogs', () => {
  let podman: Podman | null = null;
  let backend: (Proc & { baseUrl: string }) | null = null;
  let agent: Proc | null = null;
  let browser: Browser;
  let token = '';
  let serverId = '';
  const ADMIN = 'a11y-admin';
  const PASSWORD = 'correct horse battery';
  const api = apiClient(() => backend!.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => `--- backend ---\n${backend?.output().slice(-3000)}\n--- agent ---\n${agent?.output().slice(-3000)}\n--- podman ---\n${podman?.output().slice(-1500)}`;
  const LOOP = 'trap "exit 0" TERM; while :; do echo tick; sleep 1; done';

  beforeAll(async () => {
    browser = await launchBrowser();
    podman = await startPodman();
    for (const name of ['a11y-web', 'a11y-stopped', 'a11y-paused']) {
      await podman.cli(['run', '-d', '--name', name, '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', LOOP]);
    }
    await podman.cli(['stop', '-t', '5', 'a11y-stopped']);
    await podman.cli(['pause', 'a11y-paused']);
    // Each pass signs in, registers two users and uses a reset link: more than the default 10 a minute.
    backend = await startBackend({ AUTH_RATE_LIMIT: '1000/60' });
    token = await registerUser(backend.baseUrl, ADMIN, PASSWORD);
    serverId = (await api('POST', '/servers', { name: 'a11y-docker' })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId, name: 'a11y agent' })).body.key;
    agent = startAgent(backend.baseUrl, key, ['--docker-socket', podman.socket]);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online' && r.body?.agent?.capabilities?.docker === true,
      30_000, 'the agent online with Docker', logs);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await podman?.stop();
  });

  /** A user of their own for each run: a temporary password and a reset link are used up by the checks. */
  const newUser = async (name: string) => {
    const res = await fetch(`${backend!.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, email: `${name}@example.test`, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { user: { id: string } }).user.id;
  };

  const configs = [
    { name: 'light, desktop', colorScheme: 'light' as const, viewport: { width: 1440, height: 900 } },
    { name: 'dark, desktop', colorScheme: 'dark' as const, viewport: { width: 1440, height: 900 } },
    { name: 'dark, 390 px phone', colorScheme: 'dark' as const, viewport: { width: 390, height: 844 } },
    { name: 'light, 390 px phone', colorScheme: 'light' as const, viewport: { width: 390, height: 844 } },
  ];

  it.each(configs.map((c, i) => ({ ...c, i })))('finds no violation ($name)', async ({ colorScheme, viewport, i }) => {
    const ctx: BrowserContext = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const found: string[] = [];
    const check = async (where: string) => found.push(...describeViolations(where, await axeViolations(page)));
    const shown = (id: string) => page.getByTestId(id).first().waitFor({ timeout: 20_000 });
    const dialog = page.getByRole('dialog');
    const closeDialog = async () => {
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    };
    const base = backend!.baseUrl;
    try {
      await page.goto(`${base}/login`);
      await page.getByLabel('Username or email').fill(ADMIN);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);

      // The Containers tab: running, exited and paused rows from the real engine.
      await page.goto(`${base}/servers/${serverId}/containers`);
      for (const [name, state] of [['a11y-web', 'running'], ['a11y-stopped', 'exited'], ['a11y-paused', 'paused']]) {
        await page.locator(`[data-testid="container-row"][data-name="${name}"] [data-testid="container-state"][data-state="${state}"]`).waitFor({ timeout: 30_000 });
      }
      await check('containers tab (running, exited, paused)');
      await page.getByRole('checkbox', { name: 'Select a11y-web' }).check();
      await shown('bulk-actions');
      await check('containers tab, a container selected');
      await page.getByRole('checkbox', { name: 'Select a11y-web' }).uncheck();
      await page.getByRole('button', { name: 'Logs of a11y-web' }).click();
      await page.getByText('tick').first().waitFor({ timeout: 20_000 });
      await check('container drawer, logs');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'More actions for a11y-stopped' }).click();
      await page.getByTestId('menu-remove').click();
      await dialog.waitFor();
      await check('container remove confirmation');
      await closeDialog();

      // Alert rule and notification channel dialogs.
      await page.goto(`${base}/alerts/rules`);
      await page.getByTestId('rule-new').click();
      await dialog.getByRole('heading', { name: 'New alert rule' }).waitFor();
      await check('new alert rule dialog');
      await closeDialog();
      await page.goto(`${base}/alerts/channels`);
      await page.getByTestId('channel-new').click();
      await dialog.waitFor();
      await check('new notification channel dialog');
      await closeDialog();

      // Secrets shown once: a new agent API key, a new personal API token.
      await page.goto(`${base}/servers/${serverId}/settings`);
      await page.getByLabel('New key name').fill(`key ${i}`);
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('button', { name: 'Copy New API key' }).waitFor();
      await check('API key created (shown once)');
      await page.goto(`${base}/profile`);
      await page.getByLabel('Token name').fill(`token ${i}`);
      await page.getByRole('button', { name: 'Create token' }).click();
      await shown('token-once');
      await check('personal API token created (shown once)');

      // The admin's password reset (both ways) and bulk actions on users.
      const temp = `a11y-temp-${i}`;
      const other = `a11y-other-${i}`;
      await newUser(temp);
      await newUser(other);
      await page.goto(`${base}/admin`);
      await page.getByRole('button', { name: `Actions for ${temp}` }).click();
      await page.getByRole('menuitem', { name: 'Reset password…' }).click();
      await dialog.getByRole('heading', { name: `Reset the password of ${temp}?` }).waitFor();
      await check('reset password dialog (link)');
      await page.getByTestId('mode-password').click();
      await page.getByRole('button', { name: 'Generate' }).click();
      const tempPassword = await page.getByTestId('temp-password').inputValue();
      await check('reset password dialog (temporary password)');
      await page.getByTestId('confirm-reset').click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator(`[data-testid=user-row][data-username="${temp}"] [data-testid=must-change]`).waitFor();
      await page.getByRole('button', { name: `Actions for ${other}` }).click();
      await page.getByRole('menuitem', { name: 'Reset password…' }).click();
      await page.getByTestId('confirm-reset').click();
      await page.locator('app-reset-link-dialog').waitFor();
      const link = (await page.locator('app-reset-link-dialog [data-testid=reset-link] code').textContent())!;
      await check('reset link dialog');
      await page.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('checkbox', { name: `Select ${ADMIN}` }).check();
      await page.getByRole('checkbox', { name: `Select ${other}` }).check();
      await page.getByTestId('bulk-revoke').click();
      await dialog.waitFor();
      await check('bulk sign-out confirmation');
      await page.getByTestId('confirm-button').click();
      await shown('bulk-failures');
      await dialog.waitFor({ state: 'detached' });
      // The toast is judged once announced: Material holds its content under aria-hidden for its first
      // 150 ms, then moves it into the live region (before that its "Details" would be hidden yet focusable).
      await page.locator('mat-snack-bar-container [aria-live] [data-testid=toast-message]').waitFor();
      await check('bulk action, a user refused (list and toast)');

      // Where those lead: the reset-link page (signed out), and a temporary password's sign-in.
      const guest = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
      const gp = await guest.newPage();
      gp.on('pageerror', (err) => pageErrors.push(err.message));
      try {
        const gcheck = async (where: string) => found.push(...describeViolations(where, await axeViolations(gp)));
        await gp.goto(link);
        await gp.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
        await gcheck('reset password page');
        await gp.getByTestId('new-password').fill('a brand new secret');
        await gp.getByTestId('confirm-password').fill('a brand new secret');
        await gp.getByTestId('reset-submit').click();
        await gp.getByTestId('reset-done').waitFor();
        await gcheck('reset password page, done');
        await gp.goto(link);
        await gp.getByTestId('new-password').fill('yet another secret');
        await gp.getByTestId('confirm-password').fill('yet another secret');
        await gp.getByTestId('reset-submit').click();
        await gp.getByTestId('reset-error').waitFor();
        await gcheck('reset password page, used link');

        await gp.goto(`${base}/login`);
        await gp.getByLabel('Username or email').fill(temp);
        await gp.getByLabel('Password').fill(tempPassword);
        await gp.getByRole('button', { name: 'Sign in' }).click();
        await gp.waitForURL(/\/choose-password/);
        await gp.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
        await gcheck('choose a new password page');
      } finally {
        await guest.close();
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\nviolations so far:\n${found.join('\n')}\n${logs()}`);
    } finally {
      await ctx.close();
    }
    expect(pageErrors).toEqual([]);
    expect(found).toEqual([]);
  }, 300_000);
});
