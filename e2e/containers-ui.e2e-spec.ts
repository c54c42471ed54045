import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { apiClient, until as waitUntil } from './support/http';
import { BUSYBOX_IMAGE, Podman, startPodman } from './support/podman';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The Containers tab in a real Chromium, against the real backend, the real agent and a real
 * Docker Engine API (podman's compatible service): a container is stopped and started from the
 * table, and its state changes on the page live (container events and samples over /live, no
 * reload); its log is read and followed.
 */
describe('Containers tab end to end (Chromium, real agent, podman)', () => {
  let podman: Podman | null = null;
  let backend: (Proc & { baseUrl: string }) | null = null;
  let agent: Proc | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let auth: { Authorization: string };
  let serverId = '';

  const api = apiClient(() => backend!.baseUrl, () => auth);
  const diagnostics = () => `agent:\n${agent?.output().slice(-2000)}\nbackend:\n${backend?.output().slice(-2000)}\npodman:\n${podman?.output().slice(-1500)}`;
  const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> => waitUntil(fn, ok, timeoutMs, what, diagnostics);
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const row = () => page.locator('[data-testid="container-row"][data-name="chatops-web"]');
  const stateOf = () => row().getByTestId('container-state');
  /** Waits for the row's state (data-state), with the logs in the message when it does not come. */
  const waitForState = async (state: string, timeout = 20_000) => {
    try {
      await page.locator(`[data-testid="container-row"][data-name="chatops-web"] [data-testid="container-state"][data-state="${state}"]`).waitFor({ timeout });
    } catch (err) {
      throw new Error(`the row did not turn ${state}: ${(err as Error).message}\n${diagnostics()}`);
    }
  };

  beforeAll(async () => {
    // The browser and podman first: without either this fails at once, saying what is missing.
    browser = await launchBrowser();
    podman = await startPodman();
    // A container that prints a line a second and exits on SIGTERM (a shell as PID 1 ignores it without a trap).
    await podman.cli(['run', '-d', '--name', 'chatops-web', '--network', 'none', '-e', 'API_TOKEN=hunter2-secret', BUSYBOX_IMAGE, 'sh', '-c',
      'trap "exit 0" TERM; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 1; done']);
    backend = await startBackend();
    const reg = await fetch(`${backend.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ui@example.test', username: 'ui-user', password: 'password1234' }),
    }).then((r) => r.json() as Promise<{ accessToken?: string }>);
    if (!reg.accessToken) throw new Error(`register failed: ${JSON.stringify(reg)}`);
    auth = { Authorization: `Bearer ${reg.accessToken}` };
    serverId = (await api('POST', '/servers', { name: 'docker-host' })).body.id as string;
    const key = (await api('POST', '/api-keys', { serverId })).body.key as string;
    agent = startAgent(backend.baseUrl, key, ['--docker-socket', podman.socket]);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body.status === 'online' && r.body.agent?.capabilities?.docker === true, 20_000, 'the agent online with Docker');

    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${backend.baseUrl}/login`);
    await page.getByLabel('Username or email').fill('ui-user');
    await page.getByLabel('Password').fill('password1234');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${backend.baseUrl}/`);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await podman?.stop();
  });

  it('lists the container with its state, image and live CPU from the samples', async () => {
    await page.goto(`${backend!.baseUrl}/servers/${serverId}/containers`);
    await waitForState('running');
    await expect(row().textContent()).resolves.toContain(BUSYBOX_IMAGE);
    await expect(stateOf().textContent()).resolves.toContain('Running');
    // CPU comes from the live samples (every second here); "—" until the agent measured two ticks
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="container-row"][data-name="chatops-web"] [data-testid="container-cpu"]')?.textContent ?? ''), null, { timeout: 20_000 });
    await expect(page.getByTestId('container-counts').textContent()).resolves.toContain('1 running of 1');
    await shot('containers');
  });

  it('stops the container from its row (confirmed) and sees it exit live, then starts it again', async () => {
    // A marker on the window: if the page reloaded, it would be gone.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await row().getByTestId('action-stop').click();
    const dialog = page.locator('app-container-action-dialog');
    await dialog.getByText('Stop chatops-web on docker-host').waitFor();
    const stopped = page.waitForResponse((r) => r.request().method() === 'POST' && /\/containers\/[^/]+\/stop$/.test(new URL(r.url()).pathname));
    await dialog.getByTestId('confirm-button').click();
    const res = await stopped;
    expect(res.status()).toBe(200);
    await waitForState('exited');
    await expect(stateOf().textContent()).resolves.toContain('Exited');
    await page.getByTestId('container-event').filter({ hasText: 'chatops-web' }).first().waitFor({ timeout: 10_000 });
    await shot('containers-stopped');

    await row().getByTestId('action-start').click(); // start is not destructive: no dialog
    await waitForState('running');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    // and the engine agrees
    const list = await api('GET', `/docker/${serverId}/containers`);
    expect(list.body.find((c: { name: string }) => c.name === 'chatops-web')?.state).toBe('running');
    // the engine's events were relayed and kept (the start event may land just after the row turned running)
    await until(() => api('GET', `/docker/${serverId}/events?containerId=chatops-web`),
      (r) => ['die', 'start'].every((a) => r.body.some((e: { action: string }) => e.action === a)), 10_000, 'the die and start events');
  });

  it("reads the container's log and follows it: a line printed after subscribing arrives", async () => {
    await row().getByTestId('action-logs').click();
    const out = page.getByTestId('logs-output');
    await out.getByText(/tick \d+/).first().waitFor({ timeout: 15_000 });
    await page.getByTestId('logs-follow').click();
    await page.getByTestId('logs-status').filter({ hasText: 'following' }).waitFor({ timeout: 15_000 });
    // The tail came first; a line the container prints now must arrive on its own (the container
    // was restarted above, so tick numbers are not unique across the log: count lines instead).
    await page.waitForFunction(() => /tick \d+/.test(document.querySelector('[data-testid="logs-output"]')?.textContent ?? ''), null, { timeout: 15_000 });
    const lines = () => page.getByTestId('log-line').count();
    const before = await lines();
    const lastText = (await page.getByTestId('log-line').last().textContent()) ?? '';
    const first = Number(lastText.match(/tick (\d+)/)?.[1]);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="log-line"]').length > n, before, { timeout: 15_000 });
    await expect(page.getByTestId('log-line').last().textContent()).resolves.toMatch(/^tick \d+$/);
    await page.getByTestId('logs-search').fill(`tick ${first}`);
    await expect(page.locator('[data-testid="logs-output"] mark').first().textContent()).resolves.toBe(`tick ${first}`);
    await shot('container-logs');
  });

  it('inspects the container in the drawer: searchable JSON, the environment redacted by the agent', async () => {
    await page.keyboard.press('Escape'); // close the logs drawer
    await page.locator('mat-drawer.mat-drawer-opened').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
    await row().getByTestId('action-more').click();
    await page.getByTestId('menu-inspect').click();
    await page.getByTestId('env-note').filter({ hasText: 'redacted by the agent' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('inspect-search').fill('api_token');
    await page.getByTestId('inspect-count').filter({ hasText: /^1 of \d+ lines match$/ }).waitFor();
    await expect(page.getByTestId('inspect-json').textContent()).resolves.toContain('"API_TOKEN=***"');
    expect(await page.content()).not.toContain('hunter2');
    await shot('container-inspect');
    await page.getByTestId('drawer-close').click();
  });

  it('shows running/total containers on the fleet card and flags a stopped one', async () => {
    await page.goto(`${backend!.baseUrl}/`);
    const card = page.getByTestId('server-card').filter({ hasText: 'docker-host' });
    await card.getByTestId('containers-count').filter({ hasText: '1/1' }).waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('containers-stopped').count()).toBe(0);
    expect((await api('POST', `/docker/${serverId}/containers/chatops-web/stop`)).status).toBe(200);
    await card.getByTestId('containers-count').filter({ hasText: '0/1' }).waitFor({ timeout: 15_000 });
    await expect(card.getByTestId('containers-stopped').textContent()).resolves.toContain('1 not running');
    await shot('overview-containers');
    expect((await api('POST', `/docker/${serverId}/containers/chatops-web/start`)).status).toBe(200);
    await card.getByTestId('containers-count').filter({ hasText: '1/1' }).waitFor({ timeout: 15_000 });
  });
});
