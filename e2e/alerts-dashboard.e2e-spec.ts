import { createHmac } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openDialog, registerUser, SCREENSHOTS, signedInPage, waitShown } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The Alerts dashboard in a real Chromium, against the built backend and a real agent: a webhook
 * channel made in the UI delivers its test (signed) to a local receiver; a rule
 * made in the editor (memory above 1 %, no duration) fires, the alert appears live with a toast,
 * the top-bar badge and on the overview card (by severity), is acknowledged with a note and resolved from its page (snapshot shown);
 * a silence is created and shown on the server page; the audit page lists these actions.
 */
describe('alerts dashboard end to end', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let page: Page;
  let token = '';
  let serverId = '';
  /** A local webhook receiver: what the channel delivers, with its signature checked. */
  let receiver: HttpServer;
  let hookUrl = '';
  const received: { type: string; signed: boolean }[] = [];
  const SECRET = 'e2e-signing-secret-0123';
  let pageErrors: string[] = [];
  let cspViolations: string[] = [];
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
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const ts = String(req.headers['x-chatops-timestamp'] ?? '');
        const expected = `v1=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
        received.push({ type: JSON.parse(body).type, signed: req.headers['x-chatops-signature'] === expected });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    process.env.NOTIFY_ALLOW_PRIVATE = 'true'; // the receiver is on loopback (the backend inherits the environment)
    backend = await startBackend();
    delete process.env.NOTIFY_ALLOW_PRIVATE;
    token = await registerUser(backend.baseUrl, 'oncall', 'correct horse battery');
    serverId = (await api('POST', '/servers', { name: 'e2e-alerts-1' })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId })).body.key;
    agent = startAgent(backend.baseUrl, key);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online', 30_000, 'the agent online', logs);

    ({ page, pageErrors, cspViolations } = await signedInPage(browser, backend.baseUrl, 'oncall', 'correct horse battery'));
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
    receiver?.close();
  });

  it('creates a webhook channel; its test reaches the receiver signed, and the delivery log lists it', async () => {
    await page.goto(`${backend.baseUrl}/alerts/channels`);
    await page.getByText('No notification channel yet').waitFor();
    await openDialog(page, page.getByTestId('channel-new'));
    await page.getByTestId('channel-name').fill('e2e hook');
    await page.getByTestId('channel-url').fill(hookUrl);
    await page.getByTestId('channel-secret').fill('too short');
    await page.getByTestId('channel-save').click();
    await page.getByTestId('error-secret').waitFor();
    await page.getByTestId('channel-secret').fill(SECRET);
    await page.getByTestId('channel-save').click();
    const row = page.getByTestId('channel-row').filter({ hasText: 'e2e hook' });
    await waitShown(page, row);
    expect(await row.textContent()).toContain('http://127.0.0.1');
    expect(await row.textContent()).not.toContain('/hook'); // the URL is a secret: scheme and host only

    await row.getByTestId('channel-test').click();
    await row.getByTestId('channel-test-result').filter({ hasText: 'Test message delivered (HTTP 200)' }).waitFor({ timeout: 15_000 });
    expect(received).toEqual([{ type: 'test', signed: true }]);
    await row.getByTestId('channel-log').click();
    await row.getByTestId('delivery-row').filter({ hasText: 'test' }).filter({ hasText: 'Sent' }).waitFor();
    await shot('alerts-channels');
  });

  it('creates a rule on the server\'s Alerts tab; the alert it fires appears live, with a toast and the top-bar badge', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}/alerts`);
    await page.getByRole('tab', { name: 'Alerts' }).waitFor();
    await page.getByText('No alert here').waitFor();
    await page.getByText('No alert rule yet').waitFor();
    expect(await page.getByTestId('open-alerts-badge').textContent()).toContain('0');

    await openDialog(page, page.getByTestId('rule-new'));
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
    await choose('rule-channels', 'e2e hook (webhook)');
    await page.keyboard.press('Escape'); // close the multiple-choice panel
    await shot('alerts-rule-dialog');
    await page.getByTestId('rule-save').click();
    await waitShown(page, page.getByTestId('rule-row').filter({ hasText: 'e2e memory in use' }));

    // no reload: the alert arrives over /live
    const row = page.locator('[data-testid=alert-row][data-status=active]');
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.count()).toBe(1);
    expect(await row.first().getByTestId('severity').textContent()).toContain('Critical');
    await page.locator('simple-snack-bar').filter({ hasText: /Critical:/ }).waitFor({ timeout: 10_000 });
    await page.getByTestId('open-alerts-badge').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    await shot('alerts-server-tab');
    await until(async () => received, (r) => r.some((m) => m.type === 'alert.fired'), 15_000, 'the webhook of the fired alert', logs);
    expect(received.find((m) => m.type === 'alert.fired')?.signed).toBe(true);

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
    await page.getByTestId('around-chart').waitFor(); // the stored history either side of the fire time
    expect(await page.getByTestId('alert-timeline').textContent()).toContain('Fired');

    await openDialog(page, page.getByTestId('detail-ack'));
    await page.getByTestId('note-input').fill('looking into it');
    await page.getByTestId('note-confirm').click();
    await page.locator('[data-testid=alert-detail][data-status=acknowledged]').waitFor();
    await page.getByTestId('alert-timeline').filter({ hasText: 'Acknowledged by oncall' }).waitFor();
    await page.getByTestId('delivery-row').filter({ hasText: 'fired' }).filter({ hasText: 'Sent' }).waitFor();
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

  it('disables the rule with its switch on the Rules tab', async () => {
    await page.goto(`${backend.baseUrl}/alerts/rules`);
    const row = page.getByTestId('rule-row').filter({ hasText: 'e2e memory in use' });
    await row.waitFor();
    await row.getByTestId('rule-enabled').locator('button').click();
    await row.filter({ hasText: 'disabled' }).waitFor();
    const rules = await api('GET', '/alerts/thresholds');
    expect(rules.body).toEqual([expect.objectContaining({ name: 'e2e memory in use', enabled: false, severity: 'critical', durationSec: 0, thresholdValue: 1 })]);
    await shot('alerts-rules');
  });

  it('lists these actions on the audit page', async () => {
    await page.goto(`${backend.baseUrl}/audit`);
    await page.getByTestId('audit-table').waitFor();
    for (const action of ['threshold.create', 'threshold.update', 'alert.fire', 'alert.acknowledge', 'alert.resolve', 'silence.create']) {
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
