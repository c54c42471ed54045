import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, registerUser, SCREENSHOTS, signedInPage } from './support/browser';
import { Proc, startBackend } from './support/processes';

/**
 * The admin's journey in a real Chromium against the built backend: disabling a user signs out
 * that user's open dashboard at once, and an invite link is the way in once registration is closed.
 */
describe('administration end to end', () => {
  let backend: Proc & { baseUrl: string };
  let browser: Browser;
  let admin: Page;
  let bob: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    await registerUser(backend.baseUrl, 'root_admin', 'correct horse battery');
    await registerUser(backend.baseUrl, 'bob', 'bobs long password');
    const a = await signedInPage(browser, backend.baseUrl, 'root_admin', 'correct horse battery');
    const b = await signedInPage(browser, backend.baseUrl, 'bob', 'bobs long password');
    admin = a.page;
    bob = b.page;
    for (const r of [a, b]) {
      r.page.on('pageerror', (err) => pageErrors.push(err.message));
    }
    cspViolations.push(...a.cspViolations, ...b.cspViolations);
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
  });

  it('shows Administration to the admin only', async () => {
    await admin.getByRole('link', { name: 'Administration' }).waitFor();
    await bob.getByRole('link', { name: 'Profile' }).first().waitFor();
    expect(await bob.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    // Typing the address gets a regular user nowhere.
    await bob.goto(`${backend.baseUrl}/admin`);
    await bob.waitForURL(`${backend.baseUrl}/`);
    await bob.getByTestId('live-status').getByText('Live: connected').waitFor();
  });

  it('disabling a user signs out their open dashboard at once, and they cannot sign back in', async () => {
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.waitForURL(`${backend.baseUrl}/admin`);
    const row = admin.getByTestId('user-row').filter({ hasText: 'bob@example.test' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Active');
    await shot(admin, 'admin-users');
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await admin.getByRole('menuitem', { name: 'Disable…' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByText('Disable bob?').waitFor();
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await admin.getByText('bob disabled and signed out').waitFor();
    await row.getByText('Disabled').waitFor();

    // Bob did nothing: the server closed his live socket, his refresh was refused, the app left.
    await bob.waitForURL(/\/login/, { timeout: 15_000 });
    await bob.getByLabel('Username or email').fill('bob');
    await bob.getByLabel('Password').fill('bobs long password');
    await bob.getByRole('button', { name: /sign in/i }).click();
    await bob.getByTestId('login-error').getByText('This account is disabled; ask an administrator').waitFor();
    expect(bob.url()).toMatch(/\/login/);
    await shot(bob, 'disabled-user-sign-in');
  });

  it('closes registration; an invite link is then the way in', async () => {
    await admin.getByRole('tab', { name: 'Registration' }).click();
    await admin.getByTestId('registration-mode').getByText('Invited people only').click();
    await admin.getByText('Registration is by invitation only now').waitFor();

    const stranger = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await stranger.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${backend.baseUrl}/register`);
    await page.getByTestId('invite-required').getByText(/by invitation only/).waitFor();
    expect(await page.locator('form').count()).toBe(0);

    await admin.getByLabel('Email (optional)').fill('carol@example.test');
    await admin.getByRole('button', { name: 'Create invite link' }).click();
    const link = (await admin.getByTestId('created-invite').locator('pre').textContent())!.trim();
    expect(link).toMatch(new RegExp(`^${backend.baseUrl}/register\\?invite=[A-Za-z0-9_-]{43}$`));
    await admin.getByTestId('invite-row').filter({ hasText: 'carol@example.test' }).getByText('Pending').waitFor();
    await shot(admin, 'admin-registration');

    await page.goto(link);
    await page.getByTestId('invite-note').getByText('The invite works once, for carol@example.test.').waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe('carol@example.test');
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carols long password');
    await shot(page, 'register-invite-phone');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
    await page.getByRole('button', { name: 'Account menu' }).waitFor();

    // Used: the list says so, and the link does not work a second time.
    await admin.reload();
    await admin.getByRole('tab', { name: 'Registration' }).click();
    await admin.getByTestId('invite-row').filter({ hasText: 'carol@example.test' }).getByText('Used').waitFor();
    const again = await browser.newContext();
    const second = await again.newPage();
    await second.goto(link);
    await second.getByTestId('invite-error').getByText(/not valid/).waitFor();
    await again.close();
    await stranger.close();
  });

  it('lists the admin\'s own sessions in Profile', async () => {
    await admin.goto(`${backend.baseUrl}/profile`);
    const sessions = admin.getByTestId('session');
    await sessions.first().waitFor();
    expect(await sessions.first().textContent()).toContain('This device');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
