import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, registerUser, SCREENSHOTS, signedInPage } from './support/browser';
import { apiClient, until } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The fleet table in a real Chromium with the real backend and real agents: live values in the
 * rows, the tag filter, bulk tagging and bulk delete through the API, the view remembered.
 */
describe('fleet table in Chromium', () => {
  let backend: Proc & { baseUrl: string };
  const agents: Proc[] = [];
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let token = '';
  const ids: Record<string, string> = {};
  const api = apiClient(() => backend.baseUrl, () => ({ authorization: `Bearer ${token}` }));
  const logs = () => `${backend.output().slice(-3000)}\n${agents.map((a) => a.output().slice(-1000)).join('\n')}`;
  const rowNames = () => page.locator('[data-testid=row-name]').allTextContents().then((t) => t.map((s) => s.trim()));

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    token = await registerUser(backend.baseUrl, 'fleet', 'correct horse battery');
    for (const [name, tags] of [['web-1', ['prod', 'web']], ['web-2', ['dev', 'web']], ['db-1', ['prod']]] as const) {
      const created = await api('POST', '/servers', { name, tags });
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
    }
    for (const name of ['web-1', 'db-1']) {
      const key = await api('POST', '/api-keys', { serverId: ids[name] });
      agents.push(startAgent(backend.baseUrl, key.body.key));
    }
    await until(() => api('GET', '/servers'), (r) => r.body.filter((s: { status: string }) => s.status === 'online').length === 2, 30_000, 'both agents online', logs);
    ({ page, pageErrors } = await signedInPage(browser, backend.baseUrl, 'fleet', 'correct horse battery'));
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await browser?.close();
    await backend?.stop();
  });

  it('switches to the table, shows live values per row and remembers the choice', async () => {
    await page.getByTestId('view-table').click();
    await page.locator('table[aria-label=Servers]').waitFor();
    expect(await rowNames()).toEqual(['db-1', 'web-1', 'web-2']);
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    // The real agents' values arrive in their rows (web-2 has no agent: a dash).
    const cpu = (name: string) => page.locator('tbody tr', { has: page.locator(`[data-testid=row-name]:text-is("${name}")`) }).getByTestId('row-cpu');
    await until(() => cpu('web-1').textContent(), (t) => /\d%/.test(t ?? ''), 20_000, 'web-1 CPU in its row', logs);
    expect(await cpu('web-2').textContent()).toContain('—');

    await page.getByTestId('sort-cpu').click();
    await page.locator('th.col-cpu[aria-sort=descending]').waitFor();
    await until(() => rowNames(), (n) => n[2] === 'web-2', 5_000, 'web-2 (no value) sorted last', logs);

    await page.reload();
    await page.locator('table[aria-label=Servers]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-table.png'), fullPage: true });
  });

  it('filters by tag', async () => {
    await page.getByTestId('tag-filter').click();
    await page.getByRole('option', { name: 'prod' }).click();
    await until(() => rowNames(), (n) => n.length === 2, 5_000, 'the prod servers only', logs);
    expect((await rowNames()).sort()).toEqual(['db-1', 'web-1']);
    expect(await page.getByTestId('shown-count').textContent()).toContain('2 of 3 servers shown');
  });

  it('tags the selected servers in bulk through the API, and the change is audited', async () => {
    await page.getByTestId('select-all').check();
    await page.getByTestId('bulk-bar').getByText('2 selected').waitFor();
    await page.getByTestId('bulk-tag-input').fill('critical-path');
    await page.getByTestId('bulk-add-tag').click();
    await page.getByText('Tag "critical-path" added to 2 servers').waitFor();
    const tagged = await api('GET', '/servers?tag=critical-path');
    expect(tagged.body.map((s: { name: string }) => s.name).sort()).toEqual(['db-1', 'web-1']);
    const audit = await api('GET', `/audit?serverId=${ids['db-1']}&action=server.update`);
    const entries = Array.isArray(audit.body) ? audit.body : audit.body.items;
    expect(entries[0].description).toContain('tags +critical-path');
    expect(await page.getByTestId('row-tags').first().textContent()).toContain('critical-path');
  });

  it('deletes a selected server after confirmation', async () => {
    await page.getByTestId('bulk-clear').click();
    await page.getByTestId('tag-filter').click();
    await page.getByRole('option', { name: 'Any tag' }).click();
    await until(() => rowNames(), (n) => n.length === 3, 5_000, 'all servers again', logs);
    await page.getByLabel('Select web-2').check();
    await page.getByTestId('bulk-delete').click();
    await page.getByTestId('confirm-button').click();
    await page.getByText('Deleted 1 server').waitFor();
    expect(await rowNames()).not.toContain('web-2');
    expect((await api('GET', `/servers/${ids['web-2']}`)).status).toBe(404);
  });

  it('fits a phone: the table scrolls sideways inside its viewport, the page does not', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('table[aria-label=Servers]').waitFor();
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: document.querySelector('[data-testid=fleet-table]')!.clientWidth,
      table: document.querySelector('table[aria-label=Servers]')!.scrollWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(390);
    expect(widths.table).toBeGreaterThan(widths.viewport);
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-table-phone.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
