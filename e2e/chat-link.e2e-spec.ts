import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, registerUser, SCREENSHOTS, signedInPage } from './support/browser';
import { Proc, startBackend } from './support/processes';

/**
 * Linking a Slack user in a real Chromium against the built backend: the admin stores the signing
 * secret in Profile → Chat integrations; a signed Slack `/chatops link` answers with the link URL;
 * opened signed out, it goes through the login form and comes back with its token; Link, then the
 * link is listed in Profile → Chat accounts, and a second Slack request now acts as the account.
 */
describe('chat account linking end to end', () => {
  let backend: Proc & { baseUrl: string };
  let browser: Browser;
  let admin: Page;
  const SECRET = 'e2e-signing-secret-0123456789abcdef';
  const USER = 'linker';
  const PASSWORD = 'correct horse battery';
  const pageErrors: string[] = [];
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** A slash command as Slack sends it: a form body signed with the signing secret. */
  async function slack(text: string): Promise<{ status: number; body: string }> {
    const body = new URLSearchParams({
      token: 'legacy', team_id: 'T0E2E', team_domain: 'e2e', channel_id: 'C1', user_id: 'U0E2E', user_name: 'ada.slack',
      command: '/chatops', text, response_url: 'https://hooks.slack.com/commands/T0E2E/1/x', trigger_id: 't', api_app_id: 'A1',
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await fetch(`${backend.baseUrl}/api/v1/chatops/slack/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    await registerUser(backend.baseUrl, USER, PASSWORD); // the first user: an admin
    const signedIn = await signedInPage(browser, backend.baseUrl, USER, PASSWORD);
    admin = signedIn.page;
    admin.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await admin?.context().close();
    await browser?.close();
    await backend?.stop();
  });

  it('stores the Slack signing secret from Profile without ever showing it', async () => {
    expect((await slack('help')).status).toBe(503); // no secret yet
    await admin.goto(`${backend.baseUrl}/profile`);
    const slackSection = admin.getByTestId('integration-slack');
    await slackSection.getByText(/Not configured/).waitFor();
    await slackSection.getByLabel('Signing secret').fill(SECRET);
    await slackSection.getByRole('button', { name: 'Save' }).click();
    await slackSection.getByText(/Configured here, updated/).waitFor();
    expect(await slackSection.getByLabel('Signing secret').inputValue()).toBe('');
    expect(await admin.content()).not.toContain(SECRET);
  });

  it('links the Slack user through the URL from `link`, across the sign-in redirect', async () => {
    const answer = await slack('link');
    expect(answer.status).toBe(200);
    const path = /\/chat\/link\?token=[A-Za-z0-9_-]+/.exec(answer.body)?.[0];
    expect(path).toBeTruthy();

    // Signed out: the login form first, then back to the link page with its token.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${backend.baseUrl}${path}`);
    await page.waitForURL(/\/login\?returnUrl=/);
    await page.getByLabel('Username or email').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${backend.baseUrl}${path}`);

    const question = page.getByTestId('link-question');
    await question.waitFor();
    expect((await question.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`Link the Slack user @ada.slack (team T0E2E) to your ChatOps account ${USER}?`);
    await shot(page, 'chat-link-question');
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByTestId('link-done').getByText(/You can now use \/chatops in Slack/).waitFor();

    // The same URL again: already used.
    await page.goto(`${backend.baseUrl}${path}`);
    await page.getByTestId('link-refused').getByText(/already used/).waitFor();

    await page.goto(`${backend.baseUrl}/profile`);
    const row = page.getByTestId('chat-link');
    await row.waitFor();
    expect((await row.textContent())?.replace(/\s+/g, ' ')).toContain('Slack · @ada.slack Team T0E2E');
    await shot(page, 'chat-link-profile');
    await ctx.close();

    // Slack now acts as the account: `help` is answered, not a link prompt.
    const help = await slack('help');
    expect(help.status).toBe(200);
    expect(help.body).not.toMatch(/chat\/link\?token=/);
    expect(pageErrors).toEqual([]);
  });
});
