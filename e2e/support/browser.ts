import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, type Locator, type Page } from 'playwright-core';
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

const FAILED_REQUESTS = new WeakMap<Page, string[]>();

/** Keeps the page's failed requests (status ≥ 400 or no answer) for `explain`. */
export function trackFailedRequests(page: Page): void {
  const failed: string[] = [];
  FAILED_REQUESTS.set(page, failed);
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.request().method()} ${new URL(r.url()).pathname} → ${r.status()}`); });
  page.on('requestfailed', (r) => failed.push(`${r.method()} ${new URL(r.url()).pathname} → ${r.failure()?.errorText ?? 'failed'}`));
}

/**
 * What the page showed when a wait failed, for the failure message: its URL, any open dialog and
 * toast, and the requests that failed (for a page from `signedInPage` or given to `trackFailedRequests`).
 */
export async function explain(page: Page): Promise<string> {
  const texts = await page.evaluate(() => Array.from(document.querySelectorAll('mat-dialog-container, mat-snack-bar-container, [role=alert]'))
    .map((e) => `${e.tagName.toLowerCase()}: ${(e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()}`)).catch((e: Error) => [`(page not readable: ${e.message})`]);
  return [`url ${page.url()}`, ...texts, `failed requests: ${(FAILED_REQUESTS.get(page) ?? []).slice(-10).join('; ') || 'none'}`].join('\n');
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
