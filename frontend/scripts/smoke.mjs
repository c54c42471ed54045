// Browser smoke test of the BUILT dashboard against a tiny fake backend (REST + /live Socket.IO).
// It proves the production bundle boots, signs in, renders the overview with live updates, the
// server detail charts (lazy ECharts) and the phone layout. Not a substitute for the real e2e.
// Usage (from the repo root, after `npx ng build frontend`):
//   CHROME_BIN=/usr/bin/chromium node frontend/scripts/smoke.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Server as IoServer } from 'socket.io';
import { chromium } from 'playwright-core';

const ROOT = join(process.cwd(), 'dist/frontend/browser');
const now = () => new Date().toISOString();
const user = { id: 'u1', email: 'ada@example.com', username: 'ada', fullName: 'Ada Lovelace', role: 'admin', createdAt: now() };
let n = 0;
// Cookie mode, as the real backend: the refresh token is an HttpOnly cookie, not in the body.
const session = (res) => {
  res.setHeader('set-cookie', `chatops_refresh=ref-${n + 1}; Path=/api/v1/auth; HttpOnly; SameSite=Strict`);
  return { user, accessToken: `acc-${++n}`, tokenType: 'Bearer', expiresIn: 1800 };
};
const hasSessionCookie = (req) => req.headers['x-chatops-refresh'] === '1' && /(^|;\s*)chatops_refresh=ref-/.test(req.headers.cookie ?? '');
const srv = (id, name, status) => ({ id, name, host: `${name}.lan`, port: null, metadata: {}, status, lastSeen: now(), createdAt: now(), updatedAt: now(),
  agent: { version: '0.1.0', hostname: name, os: 'linux', arch: 'x64', capabilities: { exec: true, docker: true, terminal: false } } });
const servers = [srv('11111111-0000-4000-8000-000000000001', 'web-1', 'online'), srv('11111111-0000-4000-8000-000000000002', 'db-1', 'offline')];
const sample = (cpu) => ({ seq: 1, bootId: 'b', timestamp: now(), cpu: { percent: cpu, perCore: [cpu], load: [0.4, 0.3, 0.2], cores: 2 },
  memory: { totalBytes: 4e9, usedBytes: 1e9, availableBytes: 3e9, percent: 25, swapTotalBytes: 0, swapUsedBytes: 0 },
  disks: [{ mount: '/', fs: 'sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 4e10, percent: 40 }],
  network: [{ iface: 'eth0', rxBytes: 0, txBytes: 0, rxBps: 5000, txBps: 1200 }],
  processes: [{ pid: 1, name: 'init', user: 'root', cpuPercent: 0.1, memBytes: 1e6 }, { pid: 2, name: 'node', user: 'app', cpuPercent: 12, memBytes: 2e8 }] });

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'smoke-req' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
async function api(req, res, url) {
  const p = url.pathname.replace('/api/v1', '');
  const authed = req.headers.authorization?.startsWith('Bearer acc-');
  if (['/auth/login', '/auth/register'].includes(p)) return json(res, 200, session(res));
  if (p === '/auth/refresh') {
    return hasSessionCookie(req) ? json(res, 200, session(res))
      : json(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'No refresh cookie', requestId: 'smoke-401' });
  }
  if (p === '/auth/logout') {
    res.setHeader('set-cookie', 'chatops_refresh=; Path=/api/v1/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    return json(res, 204);
  }
  if (!authed) return json(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'Missing token', requestId: 'smoke-401' });
  if (p === '/servers' && req.method === 'POST') return json(res, 409, { statusCode: 409, error: 'Conflict', message: 'A server with this name already exists', requestId: 'smoke-409' });
  if (p === '/servers') return json(res, 200, servers);
  const m = p.match(/^\/servers\/([^/]+)$/);
  if (m) { const s = servers.find((x) => x.id === m[1]); return s ? json(res, 200, s) : json(res, 404, { statusCode: 404, error: 'Not Found', message: 'Server not found', requestId: 'smoke-404' }); }
  if (/^\/metrics\/[^/]+$/.test(p)) return json(res, 200, { serverId: servers[0].id, timestamp: now(), sample: sample(33) });
  if (/^\/metrics\/[^/]+\/history$/.test(p)) {
    const t = Date.now();
    return json(res, 200, { serverId: '', start: '', end: '', resolution: 60, points: Array.from({ length: 30 }, (_, i) => ({
      timestamp: new Date(t - (30 - i) * 60_000).toISOString(), cpuPercent: i === 10 ? null : 20 + (i % 7) * 5, memoryPercent: 30, diskPercent: 40, load1: 0.5, netRxBps: 1000 * i, netTxBps: 500 })) });
  }
  if (/^\/api-keys\/server\//.test(p)) return json(res, 200, []);
  return json(res, 404, { statusCode: 404, error: 'Not Found', message: `No route ${p}`, requestId: 'smoke-x' });
}
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };
const http = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1/')) return api(req, res, url);
  const file = join(ROOT, url.pathname);
  const path = url.pathname !== '/' && existsSync(file) ? file : join(ROOT, 'index.html');
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  res.end(await readFile(path));
});
const io = new IoServer(http);
const liveNs = io.of('/live');
liveNs.use((socket, next) => (String(socket.handshake.auth?.token).startsWith('acc-') ? next() : next(new Error('unauthorized'))));
liveNs.on('connection', (socket) => {
  socket.on('subscribe_fleet', (ack) => ack?.({ ok: true }));
  socket.on('subscribe', (_req, ack) => ack?.({ ok: true }));
  socket.on('unsubscribe', () => {});
  socket.on('unsubscribe_fleet', () => {});
  let i = 0;
  const t = setInterval(() => {
    i++;
    socket.emit('fleet_summary', { serverId: servers[0].id, status: 'online', lastSeen: now(), cpuPercent: 40 + i, memoryPercent: 50, diskPercent: 60, openAlerts: 0, timestamp: now() });
    socket.emit('metrics', { serverId: servers[0].id, sample: sample(60 + i) });
  }, 300);
  socket.on('disconnect', () => clearInterval(t));
});
await new Promise((r) => http.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${http.address().port}`;

const errors = [];
const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'smoke-')), {
  executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'], viewport: { width: 1280, height: 900 },
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => errors.push(String(e)));
const step = (s) => console.log(`✔ ${s}`);
const shots = process.env.SMOKE_SHOTS;
try {
  await page.goto(`${base}/servers/${servers[0].id}`);
  await page.waitForURL(/\/login\?returnUrl=/);
  step('signed-out visit redirects to /login with returnUrl');
  await page.getByLabel('Username or email').fill('ada');
  await page.getByLabel('Password').fill('secret-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/servers/${servers[0].id}`);
  await page.getByText('Top processes').waitFor();
  await page.locator('canvas').first().waitFor();
  step(`detail page renders ECharts (${await page.locator('canvas').count()} canvases) and live data`);
  await page.getByTestId('cpu-now').filter({ hasText: /CPU (6\d|7\d)%/ }).waitFor();
  step('live metrics event updated the CPU reading');
  if (shots) await page.screenshot({ path: `${shots}/detail.png`, fullPage: true });
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByTestId('server-card').first().waitFor();
  await page.getByTestId('live-status').filter({ hasText: 'Live: connected' }).waitFor();
  step(`overview shows ${await page.getByTestId('server-card').count()} cards and the live indicator is connected`);
  await page.locator('[data-testid=cpu]').filter({ hasText: /^4\d%$/ }).first().waitFor();
  step('fleet_summary updated a card');
  await page.reload();
  await page.getByTestId('server-card').first().waitFor();
  step('reload restores the session from the refresh cookie');
  if (shots) await page.screenshot({ path: `${shots}/overview.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByRole('button', { name: 'Open navigation' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) throw new Error(`horizontal overflow at 360 px: ${overflow}px`);
  step('360 px: sidenav collapses behind a menu button, no horizontal scroll');
  await page.waitForTimeout(600); // sidenav close transition
  if (shots) await page.screenshot({ path: `${shots}/phone.png`, fullPage: true });
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  await page.waitForTimeout(600);
  if (await page.locator('mat-sidenav.mat-drawer-opened').count()) throw new Error('phone sidenav stayed open after navigating');
  step('phone: the overlay nav opens, navigates and closes');
  if (shots) await page.screenshot({ path: `${shots}/profile-phone.png`, fullPage: true });
  await page.goto(`${base}/servers/new`);
  await page.getByLabel('Name', { exact: true }).fill('web-1');
  await page.getByRole('button', { name: 'Create server' }).click();
  await page.getByTestId('form-error').filter({ hasText: 'A server with this name already exists' }).waitFor();
  if ((await page.getByTestId('form-error').locator('details code').textContent()) !== 'smoke-409') throw new Error('the request id is not under Details');
  if (await page.locator('mat-snack-bar-container').count()) throw new Error('a refused create showed a toast as well as the form error');
  step('a refused create is said once, in the form, with the request id under Details');
  await page.goto(`${base}/servers/does-not-exist`);
  await page.getByTestId('not-found').waitFor();
  step('unknown server shows the not-found page');
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  step('sign out returns to /login');
  const unexpected = errors.filter((e) => !/404|401|Failed to load resource/.test(e));
  if (unexpected.length) throw new Error(`console errors:\n${unexpected.join('\n')}`);
  console.log('SMOKE OK');
} catch (e) {
  console.error('SMOKE FAILED:', e.message, '\nconsole errors:', errors);
  process.exitCode = 1;
} finally {
  await ctx.close();
  io.close();
  http.close();
}
