import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The Alerts dashboard in a real Chromium, against the built backend and a real agent: a rule
 * made in the editor (memory above 1 %, no duration) fires, the alert appears live with a toast,
 * the top-bar badge and on the overview card (by severity), is acknowledged with a note and resolved from its page (snapshot shown);
 * a silence is created and shown on the server page; the audit page lists these actions.
 */
describe('alerts dashboard end to end', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let token = '';
  let serverId = '';
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const api = apiClient(() => backend.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => `--- backend ---\n${backend.output().slice(-4000)}\n--- agent ---\n${agent?.output().slice(-4000) ?? ''}`;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  /** Picks `option` in the mat-select with this test id. */
  const choose = async (testId: string, option: string | RegExp) => {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    const reg = await fetch(`${backend.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alerts@example.test', username: 'oncall', password: 'correct horse battery' }),
    });
    expect(reg.ok).toBe(true);
    token = ((await reg.json()) as { accessToken: string }).accessToken;
    serverId = (await api('POST', '/servers', { name: 'e2e-alerts-1' })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId })).body.key;
    agent = startAgent(backend.baseUrl, key);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online', 30_000, 'the agent online', logs);

    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    ctx.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${backend.baseUrl}/login`);
    await page.getByLabel('Username or email').fill('oncall');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  it('creates a rule on the server\'s Alerts tab; the alert it fires appears live, with a toast and the top-bar badge', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}/alerts`);
    await page.getByRole('tab', { name: 'Alerts' }).waitFor();
    await page.getByText('No alert here').waitFor();
    await page.getByText('No alert rule yet').waitFor();
    expect(await page.getByTestId('open-alerts-badge').textContent()).toContain('0');

    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-name').fill('e2e memory in use');
    await choose('rule-metric', 'Memory');
    await page.getByTestId('rule-threshold').fill('1');
    // a clear value above the threshold of a "greater than" rule: refused before it is sent
    await page.getByTestId('rule-clear').fill('5');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('error-clearValue').filter({ hasText: 'at most the threshold' }).waitFor();
    await page.getByTestId('rule-clear').fill('');
    await page.getByTestId('rule-duration').fill('0');
    await choose('rule-severity', 'Critical');
    await shot('alerts-rule-dialog');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('rule-row').filter({ hasText: 'e2e memory in use' }).waitFor();

    // no reload: the alert arrives over /live
    const row = page.locator('[data-testid=alert-row][data-status=active]');
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.count()).toBe(1);
    expect(await row.first().getByTestId('severity').textContent()).toContain('Critical');
    await page.locator('simple-snack-bar').filter({ hasText: /Critical:/ }).waitFor({ timeout: 10_000 });
    await page.getByTestId('open-alerts-badge').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    await shot('alerts-server-tab');

    // the overview card counts it, by severity
    await page.goto(`${backend.baseUrl}/`);
    await page.getByTestId('card-alerts').filter({ hasText: '1 open alert: 1 critical' }).waitFor({ timeout: 10_000 });
  });

  it('shows the alert on the Alerts page and its snapshot; acknowledges it with a note, then resolves it', async () => {
    await page.getByTestId('open-alerts-badge').click();
    await page.waitForURL(`${backend.baseUrl}/alerts`);
    const row = page.getByTestId('alert-row').filter({ hasText: 'e2e-alerts-1' });
    await row.waitFor();
    await shot('alerts-page');
    await row.getByTestId('alert-link').click();
    await page.getByTestId('alert-detail').waitFor();
    await page.getByTestId('snapshot-chart').waitFor();
    await page.getByTestId('snapshot-host').waitFor();
    expect(await page.getByTestId('alert-timeline').textContent()).toContain('Fired');

    await page.getByTestId('detail-ack').click();
    await page.getByTestId('note-input').fill('looking into it');
    await page.getByTestId('note-confirm').click();
    await page.locator('[data-testid=alert-detail][data-status=acknowledged]').waitFor();
    await page.getByTestId('alert-timeline').filter({ hasText: 'Acknowledged by oncall' }).waitFor();
    expect(await page.getByTestId('alert-timeline').textContent()).toContain('looking into it');

    await page.getByTestId('detail-resolve').click();
    await page.getByTestId('note-confirm').click();
    await page.locator('[data-testid=alert-detail][data-status=resolved]').waitFor();
    await page.getByTestId('alert-timeline').filter({ hasText: 'Resolved by oncall' }).waitFor();
    await shot('alert-detail');

    const listed = await api('GET', `/alerts?serverId=${serverId}&status=all`);
    expect(listed.body.items[0]).toMatchObject({ status: 'resolved', acknowledgedBy: 'oncall', acknowledgeNote: 'looking into it', resolvedBy: 'oncall', resolveReason: 'user' });
    await page.getByTestId('open-alerts-badge').filter({ hasText: '0' }).waitFor({ timeout: 10_000 });
  });

  it('creates a silence for the server, shown on its Alerts tab', async () => {
    await page.goto(`${backend.baseUrl}/alerts/silences`);
    await page.getByText('No silence', { exact: true }).waitFor();
    await choose('silence-server', 'e2e-alerts-1');
    await page.getByTestId('silence-create').click();
    await page.getByTestId('error-reason').waitFor(); // a reason is required
    await page.getByTestId('silence-reason').fill('kernel upgrade');
    await page.getByTestId('silence-create').click();
    await page.getByTestId('silence-row').filter({ hasText: 'kernel upgrade' }).filter({ hasText: 'Active' }).waitFor();
    await shot('alerts-silences');

    await page.goto(`${backend.baseUrl}/servers/${serverId}/alerts`);
    await page.getByTestId('silence-banner').filter({ hasText: 'kernel upgrade' }).waitFor();
    expect(await page.getByTestId('silence-banner').textContent()).toContain('for this server');
  });

  it('lists these actions on the audit page', async () => {
    await page.goto(`${backend.baseUrl}/audit`);
    await page.getByTestId('audit-table').waitFor();
    for (const action of ['threshold.create', 'alert.fire', 'alert.acknowledge', 'alert.resolve', 'silence.create']) {
      await page.locator(`[data-testid=audit-row][data-action="${action}"]`).first().waitFor();
    }
    await page.getByTestId('audit-action').fill('alert.acknowledge');
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('[data-testid=audit-row]'));
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'alert.acknowledge');
    });
    await shot('audit');
  });

  it('raised no page error and no CSP violation', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
