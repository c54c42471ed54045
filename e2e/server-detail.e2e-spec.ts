import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser';
import { apiClient } from './support/http';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The server detail page's charts and "honest data" in a real Chromium, with the real backend and
 * a real agent (one sample a second, processes every sixth): fresh data shows on every range, a
 * dragged range is fetched again at the finer tier, the process list stays between the samples
 * that carry it, and a stopped agent's last values are marked as such.
 */
describe('server detail in Chromium', () => {
  let backend: Proc & { baseUrl: string };
  let agent: Proc | null = null;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let token = '';
  let serverId = '';
  const api = apiClient(() => backend.baseUrl, () => ({ authorization: `Bearer ${token}` }));
  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const points = (testId: string) => page.evaluate(
    (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-label')?.match(/(\d+) points/)?.[1] ?? 0), testId);
  const historyOk = () => page.waitForResponse((r) => r.url().includes(`/api/v1/metrics/${serverId}/history`) && r.ok());

  beforeAll(async () => {
    browser = await launchBrowser();
    backend = await startBackend();
    ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await ctx.newPage();
    await page.goto(`${backend.baseUrl}/register`);
    await page.getByLabel('Email').fill('charts@example.test');
    await page.getByLabel('Username').fill('charts');
    await page.getByLabel('Password').fill('correct horse battery');
    const registered = page.waitForResponse((res) => /\/api\/v1\/auth\/register$/.test(res.url()));
    await page.getByRole('button', { name: /create account|register|sign up/i }).click();
    token = (await (await registered).json()).accessToken;
    await page.waitForURL(`${backend.baseUrl}/`);
    expect(token).toBeTruthy();
    const created = await api('POST', '/servers', { name: 'charts-1' });
    serverId = created.body.id;
    const key = await api('POST', '/api-keys', { serverId });
    // A rule whose threshold the memory chart draws (it does not fire: memory stays far below).
    expect((await api('POST', '/alerts/thresholds', { serverId, metricType: 'memory', comparison: 'gt', thresholdValue: 95, severity: 'warning', durationSec: 60 })).status).toBe(201);
    agent = startAgent(backend.baseUrl, key.body.key);
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await backend?.stop();
  });

  it('shows fresh data on 15 m (buckets no finer than the samples) and on 7 d (one hourly bucket, drawn as a point)', async () => {
    await page.goto(`${backend.baseUrl}/servers/${serverId}`);
    await page.waitForFunction(() => /[1-9]\d* points/.test(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label') ?? ''), null, { timeout: 20_000 });

    const quarter = historyOk();
    await page.locator('mat-button-toggle', { hasText: /^15m$/ }).click();
    const q = await (await quarter).json();
    expect(q.source).toBe('raw');
    expect(q.resolution).toMatch(/^[34]s$/); // 900 s (aligned to the second) in at most 300 buckets; the agent samples every second
    await page.waitForFunction(() => !document.querySelector('mat-progress-bar[aria-label="Loading history"]'));
    expect(await page.locator('.no-data:not([data-testid="no-data-swap"])').count()).toBe(0); // swap: see below
    expect(await points('chart-cpu')).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    await shot('server-detail-15m'); // with the memory rule's threshold line

    const week = historyOk();
    await page.locator('mat-button-toggle', { hasText: /^7d$/ }).click();
    const w = await (await week).json();
    expect(w.resolution).toBe('1h');
    expect(w.points.filter((p: { cpuPercent: number | null }) => p.cpuPercent !== null).length).toBeGreaterThanOrEqual(1);
    await page.waitForFunction(() => !document.querySelector('mat-progress-bar[aria-label="Loading history"]'));
    expect(await page.locator('.no-data:not([data-testid="no-data-swap"])').count()).toBe(0); // swap: see below
    expect(await points('chart-cpu')).toBeGreaterThanOrEqual(1);
    await page.waitForTimeout(500); // the charts draw one per animation frame
    await shot('server-detail-7d');
  });

  it('draws network by interface, disk I/O, swap and disk usage by mount from the same history request', async () => {
    const hour = page.waitForResponse((r) => r.url().includes(`/api/v1/metrics/${serverId}/history`) && r.ok());
    await page.locator('mat-button-toggle', { hasText: /^1h$/ }).click();
    const res = await hour;
    expect(res.url()).toMatch(/series=network(,|%2C)mounts(,|%2C)diskio/);
    const h = await res.json();
    const latest = (await api('GET', `/metrics/${serverId}`)).body.sample;
    // the agent's real interfaces, without virtual ones; its real mounts; its disks' I/O
    const ifaces = h.series.network.map((n: { iface: string }) => n.iface);
    expect(ifaces.length).toBeGreaterThan(0);
    for (const i of ifaces) expect(latest.network.map((n: { iface: string }) => n.iface)).toContain(i);
    expect(ifaces.filter((i: string) => /^(lo|veth|docker\d|ifb|br-)/.test(i))).toEqual([]);
    expect(h.series.mounts.map((m: { mount: string }) => m.mount)).toContain(latest.disks[0].mount);
    for (const col of [h.series.network[0].rxBps, h.series.mounts[0].percent]) expect(col.filter((v: number | null) => v !== null).length).toBeGreaterThan(0);
    await page.waitForFunction(() => !document.querySelector('mat-progress-bar[aria-label="Loading history"]'));
    expect(await page.getByTestId('chart-net-if').getAttribute('aria-label')).toContain(`${ifaces.length} interfaces`);
    expect(await page.getByTestId('no-data-net-if').count()).toBe(0);
    expect(await page.getByTestId('no-data-mounts').count()).toBe(0);
    // Disk I/O needs a whole disk in /proc/diskstats; swap a swap device: each chart says when there is none.
    const hasIo = h.series.diskIo.readBps.some((v: number | null) => v !== null);
    expect(await page.getByTestId('no-data-disk-io').count()).toBe(latest.diskIo ? 0 : 1);
    expect(hasIo).toBe(!!latest.diskIo);
    expect(await page.getByTestId('no-data-swap').count()).toBe(latest.memory.swapTotalBytes > 0 ? 0 : 1);
    // Each new chart was created (an ECharts canvas of its own size).
    const drawn = await page.evaluate(() => {
      const canvas = (id: string) => document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
      return ['chart-net-if', 'chart-mounts', 'chart-disk-io', 'chart-swap'].map((id) => !!canvas(id) && canvas(id)!.width > 0);
    });
    expect(drawn).toEqual([true, true, true, true]);
    await page.getByTestId('chart-mounts').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await shot('server-detail-detail-charts');
  });

  it('fetches a range dragged across a chart again, at the finer tier, and goes back to the preset', async () => {
    const day = historyOk();
    await page.locator('mat-button-toggle', { hasText: /^24h$/ }).click();
    expect((await (await day).json()).resolution).toBe('5m');
    await page.waitForTimeout(500);
    // Drag over the last tenth of the CPU chart's plot area (the grid: 72 px left, 16 px right).
    const box = (await page.getByTestId('chart-cpu').boundingBox())!;
    const y = box.y + box.height / 2;
    const x0 = box.x + 72 + (box.width - 88) * 0.9, x1 = box.x + box.width - 8; // past the plot: the selection stops at its edge
    const zoomed = page.waitForResponse((r) => r.url().includes(`/api/v1/metrics/${serverId}/history`) && r.ok());
    await page.mouse.move(x0, y);
    await page.mouse.down();
    await page.mouse.move((x0 + x1) / 2, y, { steps: 4 });
    await page.mouse.move(x1, y, { steps: 4 });
    await page.mouse.up();
    const z = await (await zoomed).json();
    const span = Date.parse(z.end) - Date.parse(z.start);
    expect(span).toBeGreaterThan(60 * 60_000); // about a tenth of 24 h
    expect(span).toBeLessThan(4 * 60 * 60_000);
    expect(z.source).toBe('raw'); // seconds, not 5 min buckets
    await page.getByTestId('custom-range').waitFor();
    expect(await page.getByTestId('custom-range').textContent()).toContain('Selected range');
    await page.waitForTimeout(500);
    await shot('server-detail-zoomed');

    const back = historyOk();
    await page.getByTestId('custom-range').getByRole('button').click();
    const b = await (await back).json();
    expect(Date.parse(b.end) - Date.parse(b.start)).toBeGreaterThanOrEqual(24 * 3_600_000 - 1000);
    expect(await page.getByTestId('custom-range').count()).toBe(0);
  });

  it('keeps the process list between the samples that carry it, with its age', async () => {
    await page.getByTestId('processes').waitFor({ timeout: 15_000 });
    const rows = await page.locator('[data-testid="processes"] tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    // Several samples without processes arrive in 3 s: the table stays.
    for (let i = 0; i < 6; i++) {
      await page.waitForTimeout(500);
      expect(await page.locator('[data-testid="processes"] tbody tr').count()).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('processes-age').textContent()).toMatch(/As of (just now|\d+ s ago)/);
    const title = await page.locator('[data-testid="processes"] tbody tr td.name').first().getAttribute('title');
    expect(title).toBeTruthy();
  });

  it("on a phone, and once the agent stops: the last values are marked stale", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('mat-button-toggle', { hasText: /^1h$/ }).click();
    await page.waitForTimeout(1000);
    await shot('server-detail-phone');
    await agent!.stop();
    agent = null;
    await page.getByTestId('stale-note').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('stale-note').textContent()).toMatch(/Offline\s+Last values, as of/);
    expect(await page.locator('.gauges.stale').count()).toBe(1);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForTimeout(500);
    await shot('server-detail-offline');
  });
});
