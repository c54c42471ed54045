import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, registerUser, SCREENSHOTS, signedInPage, waitShown } from './support/browser';
import { apiClient, until } from './support/http';
import { BUSYBOX_IMAGE, Podman, startPodman } from './support/podman';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The Teams page in a real Chromium, against the built backend, a real agent and a real Docker
 * Engine API (podman): user A creates a team and adds user B as a viewer, all in the UI, and moves
 * A's server to it from the server's settings. B, signed in in a second browser context, sees the
 * server without the terminal, commands or Docker actions (disabled, saying why); promoted to
 * operator by A in the UI, B gains the commands tab and the Docker actions after a reload; removed
 * by A, B no longer sees the server. No page errors, no CSP violations on either side.
 */
describe('Teams page end to end (two users, Chromium, real agent, podman)', () => {
  let podman: Podman | null = null;
  let backend: (Proc & { baseUrl: string }) | null = null;
  let agent: Proc | null = null;
  let browser: Browser | null = null;
  let a: { page: Page; pageErrors: string[]; cspViolations: string[] };
  let b: { page: Page; pageErrors: string[]; cspViolations: string[] };
  let tokenA = '';
  let serverId = '';
  const SERVER = 'team-box';
  const TEAM = 'Platform';
  const PASSWORD = 'password1234';
  const api = apiClient(() => backend!.baseUrl, () => ({ Authorization: `Bearer ${tokenA}` }));
  const diagnostics = () => `agent:\n${agent?.output().slice(-2000)}\nbackend:\n${backend?.output().slice(-3000)}`;
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const url = (path: string) => `${backend!.baseUrl}${path}`;
  /** A's team on the Teams page, selected, with B's row once B is a member. */
  const teamsPageOfA = async () => {
    await a.page.goto(url('/teams'));
    await waitShown(a.page, a.page.getByTestId('team-list').getByText(TEAM));
    await a.page.getByTestId('team-list').getByText(TEAM).click();
    await waitShown(a.page, a.page.getByTestId('team-members'));
  };
  const toast = (p: Page, text: string | RegExp) => waitShown(p, p.locator('mat-snack-bar-container').filter({ hasText: text }));
  const tab = (id: 'commands' | 'terminal' | 'containers') => b.page.getByTestId(`tab-${id}`);

  beforeAll(async () => {
    browser = await launchBrowser();
    podman = await startPodman();
    await podman.cli(['run', '-d', '--name', 'team-web', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']);
    backend = await startBackend();
    // The first account is the instance admin: neither A nor B, so every grant below comes from the team.
    await registerUser(backend.baseUrl, 'root-admin', PASSWORD);
    tokenA = await registerUser(backend.baseUrl, 'team-alice', PASSWORD);
    await registerUser(backend.baseUrl, 'team-bob', PASSWORD);
    serverId = (await api('POST', '/servers', { name: SERVER })).body.id as string;
    const key = (await api('POST', '/api-keys', { serverId })).body.key as string;
    agent = startAgent(backend.baseUrl, key, ['--docker-socket', podman.socket]);
    await until(() => api('GET', `/servers/${serverId}`), (r) => r.body.status === 'online' && r.body.agent?.capabilities?.docker === true, 30_000, 'the agent online with Docker', diagnostics);
    a = await signedInPage(browser, backend.baseUrl, 'team-alice', PASSWORD);
    b = await signedInPage(browser, backend.baseUrl, 'team-bob', PASSWORD);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await podman?.stop();
  });

  it('A creates a team, adds B as a viewer and moves the server to the team, all in the UI', async () => {
    await a.page.goto(url('/teams'));
    await waitShown(a.page, a.page.getByText('No teams yet'));
    await a.page.getByTestId('team-name').fill(TEAM);
    await a.page.getByTestId('team-create').click();
    await toast(a.page, `Team "${TEAM}" created`);
    await waitShown(a.page, a.page.getByTestId('team-member').filter({ hasText: 'team-alice' }));

    await a.page.getByTestId('member-user').fill('team-bob');
    // The role picker defaults to viewer.
    await a.page.getByTestId('member-add').click();
    await toast(a.page, 'team-bob added as viewer');
    await waitShown(a.page, a.page.getByTestId('team-member').filter({ hasText: 'team-bob' }));

    await a.page.goto(url(`/servers/${serverId}/settings`));
    await waitShown(a.page, a.page.getByText('A personal server of yours'));
    await a.page.getByTestId('owner-target').click();
    await a.page.getByRole('option', { name: `Team ${TEAM}` }).click();
    await a.page.getByTestId('owner-move').click();
    await toast(a.page, `Moved to team ${TEAM}`);
    await waitShown(a.page, a.page.getByText(`Held by team ${TEAM}`));
    const server = (await api('GET', `/servers/${serverId}`)).body;
    expect(server.access).toMatchObject({ via: 'admin' });
    await shot(a.page, 'teams-a-moved');
  });

  it('B, a viewer, sees the server without terminal, commands or Docker actions, each saying why', async () => {
    await b.page.goto(url('/'));
    await waitShown(b.page, b.page.getByText(SERVER).first());
    await b.page.goto(url(`/servers/${serverId}`));
    await waitShown(b.page, tab('commands'));
    for (const [id, cap] of [['commands', 'commands.run'], ['terminal', 'terminal.open']] as const) {
      await expect(tab(id).getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(tab(id).getAttribute('title')).resolves.toBe(`Your role (viewer) on this server does not allow this (${cap})`);
    }
    await b.page.goto(url(`/servers/${serverId}/containers`));
    await waitShown(b.page, b.page.locator('[data-testid="container-row"][data-name="team-web"]'), 20_000);
    await expect(b.page.getByTestId('no-docker-action').textContent()).resolves.toContain('Your role (viewer) on this server does not allow this (docker.action)');
    await expect(b.page.getByTestId('action-stop').count()).resolves.toBe(0);
    await expect(b.page.getByTestId('select-all').count()).resolves.toBe(0);
    // The row's menu offers a viewer Inspect only.
    await b.page.getByTestId('action-more').click();
    await waitShown(b.page, b.page.getByTestId('menu-inspect'));
    await expect(b.page.locator('[role=menu] [data-testid^="menu-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).resolves.toEqual(['menu-inspect']);
    await b.page.keyboard.press('Escape');
    await shot(b.page, 'teams-b-viewer');
  });

  it('A promotes B to operator in the UI; after a reload B has the commands tab and the Docker actions (still no terminal)', async () => {
    await teamsPageOfA();
    await a.page.getByRole('combobox', { name: 'Role of team-bob' }).click();
    await a.page.getByRole('option', { name: 'operator' }).click();
    await toast(a.page, 'team-bob is now operator');

    await b.page.reload();
    await waitShown(b.page, b.page.locator('[data-testid="container-row"][data-name="team-web"] [data-testid="action-stop"]'), 20_000);
    await expect(b.page.getByTestId('no-docker-action').count()).resolves.toBe(0);
    await b.page.getByTestId('action-more').click();
    await waitShown(b.page, b.page.getByTestId('menu-restart'));
    await b.page.keyboard.press('Escape');
    await expect(tab('commands').getAttribute('aria-disabled')).resolves.toBe('false');
    await expect(tab('terminal').getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(tab('terminal').getAttribute('title')).resolves.toBe('Your role (operator) on this server does not allow this (terminal.open)');
    await shot(b.page, 'teams-b-operator');
  });

  it('A removes B; B no longer sees the server', async () => {
    await teamsPageOfA();
    await a.page.getByRole('button', { name: 'Remove team-bob from the team' }).click();
    await a.page.getByTestId('confirm-button').click();
    await toast(a.page, 'team-bob removed');
    await until(async () => a.page.getByTestId('team-member').filter({ hasText: 'team-bob' }).count(), (n) => n === 0, 10_000, 'B gone from the member list', diagnostics);

    await b.page.goto(url('/'));
    await waitShown(b.page, b.page.getByText('No servers yet'));
    await expect(b.page.getByText(SERVER).count()).resolves.toBe(0);
    await b.page.goto(url(`/servers/${serverId}`));
    await waitShown(b.page, b.page.getByText('This server does not exist, or it is not yours.'));
  });

  it('raised no page errors and no CSP violations for either user', () => {
    expect(a.pageErrors).toEqual([]);
    expect(a.cspViolations).toEqual([]);
    expect(b.pageErrors).toEqual([]);
    expect(b.cspViolations).toEqual([]);
  });
});
