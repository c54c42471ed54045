import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, type Locator, type Page, type Request } from 'playwright-core';
import { ROOT } from './processes';

export const CHROMIUM = process.env.CHROME_BIN ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (npm test does it as root)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Registers a user over REST and answers its access token. */
export async function registerUser(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${username}@example.test`, username, password }),
  });
  const body = (await res.json()) as { accessToken?: string };
  if (!res.ok || !body.accessToken) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(body)}`);
  return body.accessToken;
}

interface RequestLog { failed: string[]; recent: string[]; pending: Map<Request, number>; consoleErrors: string[] }
const REQUESTS = new WeakMap<Page, RequestLog>();

/**
 * Keeps, for `explain`, the page's failed requests (status ≥ 400 or no answer), its last API
 * requests with their status, those still waiting for an answer, and its console errors (where
 * Angular reports an exception thrown in an event handler).
 */
export function trackFailedRequests(page: Page): void {
  const log: RequestLog = { failed: [], recent: [], pending: new Map(), consoleErrors: [] };
  REQUESTS.set(page, log);
  page.on('console', (msg) => { if (msg.type() === 'error') log.consoleErrors = [...log.consoleErrors.slice(-4), msg.text().slice(0, 500)]; });
  const name = (r: Request) => `${r.method()} ${new URL(r.url()).pathname}`;
  const isApi = (r: Request) => new URL(r.url()).pathname.startsWith('/api/');
  page.on('request', (r) => { if (isApi(r)) log.pending.set(r, Date.now()); });
  page.on('response', (r) => {
    const req = r.request();
    log.pending.delete(req);
    if (isApi(req)) log.recent = [...log.recent.slice(-9), `${name(req)} → ${r.status()}`];
    if (r.status() >= 400) log.failed.push(`${name(req)} → ${r.status()}`);
  });
  page.on('requestfailed', (r) => {
    log.pending.delete(r);
    log.failed.push(`${name(r)} → ${r.failure()?.errorText ?? 'failed'}`);
  });
}

/**
 * What the page showed when a wait failed, for the failure message: its URL, any open dialog (with
 * its fields) and toast, and what `trackFailedRequests` kept (for a page from `signedInPage` or
 * given to it).
 */
export async function explain(page: Page): Promise<string> {
  const texts = await page.evaluate(() => Array.from(document.querySelectorAll('mat-dialog-container, mat-snack-bar-container, [role=alert]'))
    .map((e) => {
      // A form's fields (a password by its length only), which innerText leaves out.
      const fields = Array.from(e.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[data-testid], textarea[data-testid]'))
        .map((i) => `${i.dataset['testid']}=${i.type === 'password' ? `(${i.value.length} characters)` : JSON.stringify(i.value)}`);
      return `${e.tagName.toLowerCase()}: ${(e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()}${fields.length ? ` [${fields.join(', ')}]` : ''}`;
    })).catch((e: Error) => [`(page not readable: ${e.message})`]);
  const log = REQUESTS.get(page);
  const pending = [...(log?.pending ?? [])].map(([r, since]) => `${r.method()} ${new URL(r.url()).pathname} (${Date.now() - since} ms)`);
  return [
    `url ${page.url()}`,
    ...texts,
    `failed requests: ${(log?.failed ?? []).slice(-10).join('; ') || 'none'}`,
    `last API requests: ${log?.recent.join('; ') || 'none'}`,
    `API requests without an answer: ${pending.join('; ') || 'none'}`,
    `console errors: ${log?.consoleErrors.join(' | ') || 'none'}`,
  ].join('\n');
}

/**
 * Clicks `trigger` and waits until the dialog it opened has taken the focus. Material moves the
 * focus into a dialog (its first field) when the opening animation ends; on a loaded machine that
 * can come after a test started typing, and the rest of the text lands in the first field (CI saw
 * a webhook's URL typed into its name, the URL left empty and the dialog refusing to save).
 */
export async function openDialog(page: Page, trigger: Locator): Promise<void> {
  await trigger.click();
  try {
    await page.waitForFunction(() => {
      const dialogs = document.querySelectorAll('mat-dialog-container');
      return dialogs.length > 0 && dialogs[dialogs.length - 1].contains(document.activeElement);
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n(waiting for the dialog to take the focus)\n--- the page instead showed ---\n${await explain(page)}`);
  }
}

/** `locator.waitFor()`, whose timeout error says what the page showed instead (see `explain`). */
export async function waitShown(page: Page, locator: Locator, timeout?: number): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- the page instead showed ---\n${await explain(page)}`);
  }
}

/**
 * A 1280×900 page signed in through the login form. Page errors and Content-Security-Policy
 * violations are collected for the spec to assert empty.
 */
export async function signedInPage(browser: Browser, baseUrl: string, username: string, password: string): Promise<{ page: Page; pageErrors: string[]; cspViolations: string[] }> {
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  trackFailedRequests(page);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${baseUrl}/`);
  return { page, pageErrors, cspViolations };
}
