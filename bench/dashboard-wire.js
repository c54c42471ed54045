#!/usr/bin/env node
'use strict';
/**
 * Cold-load bytes on the wire of the dashboard's pages, in headless Chromium, against the built
 * backend: what a first visit (empty cache) to sign-in, the overview and a server's detail page
 * transfers, as served (Brotli/gzip as the browser negotiates) and with `Accept-Encoding: identity`
 * (what an uncompressed server sends), next to the decoded sizes.
 *
 *   node bench/dashboard-wire.js [--root <dir>] [--chrome /usr/bin/chromium] [--json <file>]
 *
 *  1. starts `node dist/backend/main.js` on a free port with a fresh embedded PostgreSQL;
 *  2. registers a user through the UI, creates a server through the REST API;
 *  3. for each page and each encoding: a new browser context (signed in through /login first for
 *     the overview and detail pages), the cache disabled from then on, loads the page, waits until it is drawn (sign-in button, a server card, the CPU chart) and
 *     1 s more, and sums what the Chrome DevTools protocol reports per request: `encodedDataLength`
 *     of `Network.loadingFinished` (bytes on the wire, headers included) and `dataLength` of
 *     `Network.dataReceived` (decoded bytes). The /live WebSocket is not a request and not counted;
 *  4. prints a table and a RESULT {json} line, and stops what it started.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const REPO = resolve(__dirname, '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const o = { root: REPO, chrome: process.env.CHROME_BIN || '/usr/bin/chromium', json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') o.root = resolve(argv[++i]);
    else if (a === '--chrome') o.chrome = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/dashboard-wire.js [--root <dir>] [--chrome /usr/bin/chromium] [--json <file>]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch(() => undefined);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function startBackend(root) {
  const main = join(root, 'dist/backend/main.js');
  for (const f of [main, join(root, 'dist/frontend/browser/index.html')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "node scripts/build.js"`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-wire-'));
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, CHATOPS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 90_000;
  while (!out.includes('ChatOps is running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`backend did not start:\n${out.slice(-3000)}`);
    await sleep(100);
  }
  return `http://127.0.0.1:${port}`;
}

/** Loads `path` in a fresh context (empty cache) and sums its requests' bytes. */
async function coldLoad(browser, url, path, ready, { signIn, identity }) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  if (signIn) {
    // The session lives in this context (an HttpOnly refresh cookie, rotated on use): sign in here.
    await page.goto(`${url}/login`);
    await page.getByLabel('Username or email').fill('wire');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${url}/`);
  }
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }); // every load below is a cold one
  if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  const requests = new Map();
  cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '', wire: 0, decoded: 0 }));
  cdp.on('Network.dataReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.decoded += e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.wire = e.encodedDataLength;
  });
  await page.goto(`${url}${path}`);
  await page.locator(ready).first().waitFor({ timeout: 30_000 }).catch((err) => {
    throw new Error(`${path}: "${ready}" not shown; at ${page.url()}: ${err.message.split('\n')[0]}`);
  });
  await sleep(1000);
  const list = [...requests.values()].filter((r) => r.wire > 0);
  await ctx.close();
  const sum = (f) => list.reduce((n, r) => n + f(r), 0);
  const compressed = list.filter((r) => r.encoding).length;
  return { requests: list.length, compressed, wire: sum((r) => r.wire), decoded: sum((r) => r.decoded) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { chromium } = require('playwright-core');
  const url = await startBackend(o.root);
  const browser = await chromium.launch({
    executablePath: o.chrome, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  cleanups.push(() => browser.close());

  // A user (through the UI: the session lives in an HttpOnly cookie) and one server.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${url}/register`);
  await page.getByLabel('Email').fill('wire@example.test');
  await page.getByLabel('Username').fill('wire');
  await page.getByLabel('Password').fill('correct horse battery');
  const registered = page.waitForResponse((res) => /\/api\/v1\/auth\/register$/.test(res.url()));
  await page.getByRole('button', { name: /create account|register|sign up/i }).click();
  const { accessToken } = await (await registered).json();
  await page.waitForURL(`${url}/`);
  const created = await fetch(`${url}/api/v1/servers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ name: 'wire-1' }),
  });
  if (!created.ok) throw new Error(`POST /servers → ${created.status}`);
  const server = await created.json();
  await ctx.close();

  const pages = [
    { name: 'sign-in', path: '/login', ready: 'button:has-text("Sign in")', signIn: false },
    { name: 'overview', path: '/', ready: '[data-testid="server-card"]', signIn: true },
    { name: 'detail', path: `/servers/${server.id}`, ready: '[data-testid="chart-cpu"]', signIn: true },
  ];
  const results = [];
  for (const p of pages) {
    const served = await coldLoad(browser, url, p.path, p.ready, { signIn: p.signIn, identity: false });
    const identity = await coldLoad(browser, url, p.path, p.ready, { signIn: p.signIn, identity: true });
    results.push({ page: p.name, served, identity });
  }

  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log('page        requests  on the wire (served)  compressed  on the wire (identity)  decoded');
  for (const r of results) {
    console.log(`${r.page.padEnd(12)}${String(r.served.requests).padStart(8)}  ${kb(r.served.wire).padStart(20)}  ${`${r.served.compressed}/${r.served.requests}`.padStart(10)}  ${kb(r.identity.wire).padStart(22)}  ${kb(r.served.decoded).padStart(8)}`);
  }
  const result = { at: new Date().toISOString(), results };
  console.log(`RESULT ${JSON.stringify(result)}`);
  if (o.json) writeFileSync(o.json, JSON.stringify(result, null, 2));
}

process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (err) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  });
