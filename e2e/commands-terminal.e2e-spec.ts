import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, registerUser, SCREENSHOTS, signedInPage } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The server page's Commands, Terminal and Sessions tabs in a real Chromium, against the built
 * backend and a real agent started with `--enable-exec --enable-terminal`: a command's output
 * streams in, a shell answers in xterm.js, and the session is then listed and played.
 */
describe('commands, terminal and sessions end to end', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let page: Page;
  let token = '';
  let serverId = '';
  let cspViolations: string[] = [];
  let pageErrors: string[] = [];
  const api = apiClient(() => backend.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => `--- backend ---\n${backend.output().slice(-4000)}\n--- agent ---\n${agent?.output().slice(-4000) ?? ''}`;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    token = await registerUser(backend.baseUrl, 'cmd', 'correct horse battery');
    serverId = (await api('POST', '/servers', { name: 'e2e-cmd-1' })).body.id;
    const key: string = (await api('POST', '/api-keys', { serverId })).body.key;
    agent = startAgent(backend.baseUrl, key, ['--enable-exec', '--enable-terminal']);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body?.status === 'online' && r.body?.agent?.capabilities?.terminal === true,
      30_000, 'the agent online with exec and the terminal on', logs);

    ({ page, pageErrors, cspViolations } = await signedInPage(browser, backend.baseUrl, 'cmd', 'correct horse battery'));
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  it('runs uname -a in the Commands tab and shows its output, exit code and history row', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}/commands`);
    await page.getByRole('tab', { name: 'Commands' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Commands' }).getAttribute('aria-selected')).toBe('true');
    const input = page.getByTestId('command-input');
    await input.fill('uname -a');
    await input.press('Enter');
    const run = page.getByTestId('run').first();
    await run.getByTestId('output').filter({ hasText: 'Linux' }).waitFor({ timeout: 20_000 });
    await run.locator('[data-testid=command-status][data-status=completed]').waitFor({ timeout: 20_000 });
    expect(await run.getByTestId('exit-code').textContent()).toBe('exit 0');
    await page.getByTestId('history-row').filter({ hasText: 'uname -a' }).waitFor();
    expect(await page.getByTestId('command-announcement').textContent()).toContain('uname -a finished: completed, exit code 0');

    // ↑ recalls it; stderr comes out marked apart
    await input.press('ArrowUp');
    expect(await input.inputValue()).toBe('uname -a');
    await input.fill('echo out; echo err >&2; exit 3');
    await input.press('Enter');
    const second = page.getByTestId('run').first();
    await second.locator('[data-testid=command-status][data-status=failed]').waitFor({ timeout: 20_000 });
    expect(await second.getByTestId('exit-code').textContent()).toBe('exit 3');
    expect((await second.locator('[data-testid=output] .stderr').allTextContents()).join('')).toBe('err\n');
    await shot('commands-tab');
  });

  it('opens a shell in the Terminal tab, runs echo hi, and leaves the terminal with Ctrl+]', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.waitForURL(`${backend.baseUrl}/servers/${serverId}/terminal`);
    await page.getByTestId('terminal-connect').click();
    await page.getByTestId('terminal-status').filter({ hasText: /Connected to e2e-cmd-1/ }).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=terminal] .xterm-helper-textarea').waitFor({ state: 'attached' });
    await page.keyboard.type('echo hi\n');
    // a screen row that is exactly "hi": the command's output, not its echo
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')).some((r) => r.textContent?.trim() === 'hi'),
      null, { timeout: 20_000 },
    );
    await shot('terminal-tab');

    await page.keyboard.press('Control+BracketRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('terminal-disconnect');
    await page.getByTestId('terminal-disconnect').click();
    await page.getByTestId('terminal-status').filter({ hasText: 'You closed the session.' }).waitFor();
  });

  it('lists the session in the Sessions tab, plays it in the page and downloads it', async () => {
    await page.getByRole('tab', { name: 'Sessions' }).click();
    const row = page.getByTestId('session-row').filter({ hasText: 'cmd' }).first();
    await row.waitFor({ timeout: 20_000 });
    // the recording is finalised when the session ends: wait for its end to be listed
    await until(() => api('GET', `/terminal/${serverId}/sessions`), (r) => r.body?.[0]?.endedAt != null, 20_000, 'the session to end', logs);
    await page.reload();
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).not.toBe('open');

    const recording = page.waitForResponse((r) => /\/api\/v1\/terminal\/sessions\/[^/]+\/recording$/.test(r.url()));
    await row.getByTestId('session-play').click();
    expect((await recording).status()).toBe(200);
    // asciinema-player draws the recorded screen; "echo hi" is on it
    await page.locator('[data-testid=player] .ap-player').waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => /echo hi/.test(document.querySelector('[data-testid=player]')?.textContent ?? '') || !!document.querySelector('[data-testid=player-error]'),
      null, { timeout: 20_000 },
    );
    // e.g. "The player could not start: ... Content-Security-Policy needs 'wasm-unsafe-eval'"
    expect(await page.locator('[data-testid=player-error]').allTextContents()).toEqual([]);
    await shot('sessions-tab');

    const download = page.waitForEvent('download');
    await row.getByTestId('session-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^e2e-cmd-1-[0-9a-f-]{36}\.cast$/);
  });

  it('raised no Content-Security-Policy violation and no uncaught error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
