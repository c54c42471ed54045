#!/usr/bin/env node
'use strict';
/**
 * The fleet overview at scale, in headless Chromium (docs/performance-dashboard.md, "Fleet at scale").
 *
 *   npm run bench:fleet -- [--servers 5000] [--interval 5] [--duration 20] [--procs 2]
 *                          [--width 1440] [--height 900] [--tagged 3] [--profile 1]
 *
 *  1. starts the built backend on a free port with its own embedded PostgreSQL;
 *  2. registers a user and creates --servers servers (every --tagged-th tagged "prod", the rest
 *     "dev") with an API key each, through the REST API;
 *  3. connects one simulated agent per server (socket.io-client, split over --procs child
 *     processes) sending a realistic sample every --interval seconds, spread over the interval;
 *  4. signs in through /login, then opens the overview (/) and times the first screenful: until
 *     the table (or the cards) show their first rows; the longest task meanwhile;
 *  5. for --duration seconds while every server streams: frames per second (requestAnimationFrame
 *     deltas), long tasks, and sample → browser lag: when each `fleet_summary` frame is dispatched
 *     on the page's main thread (a listener on the page's WebSocket, queued like the app's own
 *     handler) minus the sample's timestamp (the simulated agent's clock, same machine);
 *  6. sort (CPU column), search (type a name), clear the search: from the input to the next frame
 *     painted with the result;
 *  7. navigates away inside the app (to /alerts), collects garbage, and reports the JS heap and the
 *     detached DOM nodes still retained, next to the figures on the overview;
 *  8. prints a table (and RESULT {json}) and stops everything it started.
 *
 * --profile 1 records a CPU profile of the sort, search and clear steps and prints the functions
 * with the most self time (the profiler slows the page: take the timings from a run without it).
 * Run `node scripts/build.js` first (npm run bench:fleet builds what is stale).
 */
const { fork } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir, cpus } = require('node:os');
const { join } = require('node:path');
const { log, sleep, pct, requireBuilt, startBackend } = require('./support');

// ---- options ----------------------------------------------------------------------------------

function options(argv) {
  const o = { servers: 5000, interval: 5, duration: 20, procs: 2, width: 1440, height: 900, tagged: 3, profile: 0 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'help' || key === 'h') {
      console.log(require('node:fs').readFileSync(__filename, 'utf8').split('\n').slice(2, 27).join('\n'));
      process.exit(0);
    }
    if (!(key in o)) throw new Error(`unknown option ${argv[i]} (see --help)`);
    o[key] = Number(argv[++i]);
    if (!(o[key] > 0)) throw new Error(`--${key} must be a positive number`);
  }
  return o;
}

// ---- simulated agents (worker processes) -------------------------------------------------------

function sample(seq, bootId, i) {
  const at = Date.now();
  const w = Math.sin(at / 60_000 + i);
  return {
    seq, bootId, timestamp: new Date(at).toISOString(),
    cpu: { percent: Math.max(0, Math.min(100, 45 + 40 * w + 10 * Math.random())), perCore: [20, 30], load: [1 + w, 0.9, 0.8], cores: 2 },
    memory: { totalBytes: 8e9, usedBytes: 4e9, availableBytes: 4e9, percent: 50 + 30 * w, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 6e10, percent: 60 + (i % 40) }],
    network: [{ iface: 'eth0', rxBytes: seq * 1e5, txBytes: seq * 5e4, rxBps: 1e5, txBps: 5e4 }],
    containers: i % 4 === 0 ? [] : [{ id: `c${i}`, name: 'app', image: 'app:1', state: i % 7 === 0 ? 'exited' : 'running', status: 'Up 2 hours' }],
  };
}

function runWorker() {
  const { io } = require('socket.io-client');
  const agents = [];
  let stats = { sent: 0, acked: 0, failed: 0 };
  process.on('message', async (m) => {
    if (m.type === 'start') {
      const { url, keys, interval, offset } = m;
      for (let k = 0; k < keys.length; k += 50) {
        await Promise.all(keys.slice(k, k + 50).map((key, j) => new Promise((res, rej) => {
          const socket = io(`${url}/agents`, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
          const a = { socket, bootId: randomUUID(), seq: 0, timer: null, i: offset + k + j };
          socket.once('connect_error', (e) => rej(new Error(`agent connect_error: ${e.message}`)));
          socket.once('auth_success', () => {
            socket.emit('hello', { agentVersion: 'bench-fleet', hostname: `fleet-${a.i}`, os: 'linux', arch: 'x64', bootId: a.bootId, intervalSec: interval, capabilities: { exec: false, docker: false, terminal: false } });
            const tick = () => {
              stats.sent++;
              socket.timeout(20_000).emit('metrics', sample(a.seq++, a.bootId, a.i), (err, ack) => { if (!err && ack && ack.ok) stats.acked++; else stats.failed++; });
            };
            setTimeout(() => { tick(); a.timer = setInterval(tick, interval * 1000); }, Math.random() * interval * 1000);
            agents.push(a);
            res();
          });
        })));
      }
      process.send({ type: 'connected', n: agents.length });
    } else if (m.type === 'stats') {
      process.send({ type: 'stats', stats });
      stats = { sent: 0, acked: 0, failed: 0 };
    } else if (m.type === 'stop') {
      for (const a of agents) { clearInterval(a.timer); a.socket.close(); }
      process.exit(0);
    }
  });
}

function ask(child, msg, type) {
  return new Promise((res, rej) => {
    const onMsg = (m) => { if (m.type === type) { child.off('message', onMsg); res(m); } };
    child.on('message', onMsg);
    child.once('exit', (code) => rej(new Error(`worker exited (${code})`)));
    child.send(msg);
  });
}

// ---- in-page probes ---------------------------------------------------------------------------

/** Added before the app loads: long tasks, and the lag of every fleet_summary frame the page handles. */
function initProbe() {
  const st = { longTasks: [], lags: [], frames: 0 };
  window.__fleet = st;
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) st.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch { /* not supported */ }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (!st.measuring || typeof e.data !== 'string' || !e.data.includes('"fleet_summary"')) return;
        const now = Date.now();
        const m = /"timestamp":"([^"]+)"/.exec(e.data);
        if (m) { st.frames++; st.lags.push(now - Date.parse(m[1])); }
      });
    }
  };
}

/** Frames (rAF deltas) for `ms`, with the long tasks that happened meanwhile. */
function framesFor(ms) {
  return new Promise((res) => {
    const st = window.__fleet;
    const deltas = [];
    let last = 0;
    const t0 = performance.now();
    const from = st.longTasks.length;
    const loop = (ts) => {
      if (last) deltas.push(ts - last);
      last = ts;
      if (ts - t0 < ms) requestAnimationFrame(loop);
      else res({ deltas, longTasks: st.longTasks.slice(from).map(([, d]) => d), elapsed: ts - t0 });
    };
    requestAnimationFrame(loop);
  });
}

/** Runs `act` in the page, then waits until `done()` holds at a frame; the time to that frame's paint. */
function timed({ act, done }) {
  // Both given as source so the page evaluates them (Playwright passes one argument).
  return new Promise((res, rej) => {
    const t0 = performance.now();
    // eslint-disable-next-line no-new-func
    new Function(act)();
    const check = new Function(`return (${done})`);
    const until = t0 + 10_000;
    const frame = () => {
      if (check()) requestAnimationFrame(() => res(performance.now() - t0)); // the next frame paints it
      else if (performance.now() > until) rej(new Error(`not done in 10 s: ${done}`));
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Detached DOM nodes still reachable (after a GC), and the biggest detached trees by their root's tag and class. */
async function detachedNodes(cdp) {
  try {
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { detachedNodes: trees } = await cdp.send('DOM.getDetachedDomNodes');
    const count = trees.reduce((n, d) => n + (d.retainedNodeIds?.length ?? 1), 0);
    const roots = trees
      .map((d) => {
        const a = d.treeNode?.attributes ?? [];
        const cls = a[a.indexOf('class') + 1];
        return { n: d.retainedNodeIds?.length ?? 1, root: `${d.treeNode?.nodeName?.toLowerCase()}${a.includes('class') && cls ? `.${cls.split(' ')[0]}` : ''}` };
      })
      .sort((x, y) => y.n - x.n).slice(0, 5);
    return { count, roots };
  } catch (e) {
    return { count: null, roots: [], error: e.message }; // older Chromium: no such command
  }
}

async function heapMB(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { heapMB: +(m.JSHeapUsedSize / 1048576).toFixed(1), nodes: m.Nodes };
}

/** The functions with the most self time in a CDP CPU profile. */
function printProfile(prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const cf = byId.get(prof.samples[i]).callFrame;
    if (['(idle)', '(program)', '(garbage collector)'].includes(cf.functionName) && !cf.url) { if (cf.functionName !== '(garbage collector)') continue; }
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  }
  console.log('CPU profile of sort + search + clear, top self time:');
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
}

// ---- main -------------------------------------------------------------------------------------

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); } }));
  return out;
}

async function main() {
  const o = options(process.argv.slice(2));
  requireBuilt(['dist/backend/main.js', 'dist/frontend/browser/index.html']);
  const chrome = process.env.CHROME_BIN || '/usr/bin/chromium';
  if (!existsSync(chrome)) throw new Error(`Chromium not found at ${chrome} (apt-get install -y chromium, or CHROME_BIN)`);
  const stops = [];
  const stopAll = async () => { for (const s of stops.splice(0).reverse()) await s().catch((e) => console.error(`cleanup: ${e.message}`)); };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { stopAll().then(() => process.exit(130)); });
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'chatops-fleet-'));
    const { base, backend } = await startBackend(dataDir, { SERVE_FRONTEND: 'true', LOG_LEVEL: 'error' });
    stops.push(async () => { await backend.stop(); rmSync(dataDir, { recursive: true, force: true }); });

    const user = { username: `fleet_${randomUUID().slice(0, 6)}`, email: `fleet_${randomUUID().slice(0, 6)}@example.test`, password: 'correct horse battery' };
    const reg = await (await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) })).json();
    const api = async (path, body) => {
      const res = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.accessToken}` }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const t0 = Date.now();
    const keys = await pool(Array.from({ length: o.servers }, (_, i) => i), 16, async (i) => {
      const s = await api('/servers', { name: `fleet-${String(i).padStart(5, '0')}`, host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, tags: [i % o.tagged === 0 ? 'prod' : 'dev', `rack-${i % 20}`] });
      return (await api('/api-keys', { serverId: s.id, name: 'bench' })).key;
    });
    log(`created ${o.servers} servers with keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const workers = Array.from({ length: Math.min(o.procs, o.servers) }, () => fork(__filename, ['--role', 'worker'], { stdio: 'inherit' }));
    stops.push(async () => { for (const w of workers) if (w.exitCode === null) { w.send({ type: 'stop' }); await new Promise((r) => w.once('exit', r)); } });
    const per = Math.ceil(o.servers / workers.length);
    const t1 = Date.now();
    await Promise.all(workers.map((w, i) => ask(w, { type: 'start', url: base, keys: keys.slice(i * per, (i + 1) * per), interval: o.interval, offset: i * per }, 'connected')));
    log(`${o.servers} simulated agents connected in ${((Date.now() - t1) / 1000).toFixed(1)} s, each sending every ${o.interval} s`);

    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({
      executablePath: chrome, headless: true, handleSIGINT: false, handleSIGTERM: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    stops.push(() => browser.close());
    // bypassCSP: the timing probes build their checks with new Function (the app's CSP forbids eval).
    const ctx = await browser.newContext({ viewport: { width: o.width, height: o.height }, bypassCSP: true });
    await ctx.addInitScript(initProbe);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');

    // Sign in on another page of the app, so the overview is opened by in-app navigation (as a user would).
    await page.goto(`${base}/login`);
    await page.getByLabel('Username or email').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${base}/`, { timeout: 30_000 });
    await page.locator('a[href="/alerts"]').first().click();
    await page.waitForURL(`${base}/alerts`);
    await sleep(2000);
    const baseline = await heapMB(cdp);
    const baselineDetached = await detachedNodes(cdp);

    // 4. first screenful
    const lt0 = await page.evaluate(() => window.__fleet.longTasks.length);
    const first = await page.evaluate(() => new Promise((res) => {
      const t = performance.now();
      document.querySelector('a[href="/"].brand, nav a[href="/"]').click();
      const check = () => (document.querySelectorAll('[data-testid=row-name], [data-testid=server-card]').length >= 10 ? requestAnimationFrame(() => res(performance.now() - t)) : requestAnimationFrame(check));
      requestAnimationFrame(check);
    }));
    const firstLongest = await page.evaluate((from) => Math.max(0, ...window.__fleet.longTasks.slice(from).map(([, d]) => d)), lt0);
    const view = await page.evaluate(() => (document.querySelector('[data-testid=fleet-table]') ? 'table' : 'cards'));
    if (view !== 'table') throw new Error('the overview did not open as a table (a fleet above 50 servers should): use --servers 51 or more');
    log(`first screenful in ${first.toFixed(0)} ms (${view} view; longest task ${firstLongest.toFixed(0)} ms)`);
    await page.waitForFunction((n) => document.querySelector('[data-testid=shown-count]')?.textContent?.includes(`of ${n} servers`), o.servers, { timeout: 30_000 });
    const onPage = await heapMB(cdp);

    // 5. streaming: let every agent report at least once, then measure
    await sleep(o.interval * 1000 + 2000);
    await page.evaluate(() => { window.__fleet.measuring = true; window.__fleet.lags = []; window.__fleet.frames = 0; });
    await Promise.all(workers.map((w) => ask(w, { type: 'stats' }, 'stats')));
    const fr = await page.evaluate(framesFor, o.duration * 1000);
    const probe = await page.evaluate(() => ({ lags: window.__fleet.lags, frames: window.__fleet.frames }));
    const sent = (await Promise.all(workers.map((w) => ask(w, { type: 'stats' }, 'stats')))).reduce((a, m) => ({ sent: a.sent + m.stats.sent, acked: a.acked + m.stats.acked, failed: a.failed + m.stats.failed }), { sent: 0, acked: 0, failed: 0 });
    const lags = probe.lags.sort((a, b) => a - b);
    const fps = fr.deltas.length / (fr.elapsed / 1000);
    const frameSorted = [...fr.deltas].sort((a, b) => a - b);

    // 6. sort, search, clear (each from the input to the painted result)
    if (o.profile) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
    const sortMs = await page.evaluate(timed, { act: "document.querySelector('[data-testid=sort-cpu]').click()",
      done: "document.querySelector('th.col-cpu')?.getAttribute('aria-sort') === 'descending'" });
    const target = `fleet-${String(Math.floor(o.servers / 2)).padStart(5, '0')}`;
    const searchMs = await page.evaluate(timed, { act: `const i = document.querySelector('[data-testid=search]'); i.value = '${target}'; i.dispatchEvent(new Event('input'))`,
      done: "/^1 of /.test(document.querySelector('[data-testid=shown-count]')?.textContent.trim())" });
    const clearMs = await page.evaluate(timed, { act: "const i = document.querySelector('[data-testid=search]'); i.value = ''; i.dispatchEvent(new Event('input'))",
      done: `document.querySelector('[data-testid=shown-count]')?.textContent.trim().startsWith('${o.servers} of')` });
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
    if (o.profile) printProfile((await cdp.send('Profiler.stop')).profile);

    // 7. leave the page inside the app
    await page.locator('a[href="/alerts"]').first().click();
    await page.waitForURL(`${base}/alerts`);
    await sleep(1000);
    const after = await heapMB(cdp);
    const detached = await detachedNodes(cdp);

    const r = {
      servers: o.servers, intervalSec: o.interval, view, cpus: cpus().length,
      firstScreenfulMs: Math.round(first), firstLongestTaskMs: Math.round(firstLongest), elements,
      fps: +fps.toFixed(1), frameP95Ms: +pct(frameSorted, 95).toFixed(1), longTasks: fr.longTasks.length, longestTaskMs: Math.round(Math.max(0, ...fr.longTasks)),
      summariesPerSec: +(probe.frames / (fr.elapsed / 1000)).toFixed(0), lagMedianMs: lags.length ? pct(lags, 50) : null, lagP95Ms: lags.length ? pct(lags, 95) : null,
      samplesSent: sent.sent, samplesAcked: sent.acked, samplesFailed: sent.failed,
      sortMs: Math.round(sortMs), searchMs: Math.round(searchMs), clearSearchMs: Math.round(clearMs),
      heapBeforeMB: baseline.heapMB, heapOnPageMB: onPage.heapMB, heapAfterLeavingMB: after.heapMB, nodesBefore: baseline.nodes, nodesAfterLeaving: after.nodes,
      detachedBefore: baselineDetached.count, detachedNodesAfterLeaving: detached.count, detachedRoots: detached.roots,
      pageErrors: errors.length,
    };
    const rows = [
      ['servers (view)', `${r.servers} (${r.view})`],
      ['first screenful (longest task)', `${r.firstScreenfulMs} ms (${r.firstLongestTaskMs} ms)`],
      ['elements on the page', r.elements],
      [`fps while streaming (${o.duration} s)`, `${r.fps} (frame p95 ${r.frameP95Ms} ms, ${r.longTasks} long tasks, longest ${r.longestTaskMs} ms)`],
      ['fleet_summary frames handled / s', r.summariesPerSec],
      ['sample → browser, median / p95', `${r.lagMedianMs} / ${r.lagP95Ms} ms`],
      ['sort by CPU', `${r.sortMs} ms`],
      ['search one name', `${r.searchMs} ms`],
      ['clear search → all shown', `${r.clearSearchMs} ms`],
      ['JS heap: before (on /alerts) → on the overview', `${r.heapBeforeMB} → ${r.heapOnPageMB} MB`],
      ['after leaving: JS heap, DOM nodes (before)', `${r.heapAfterLeavingMB} MB, ${r.nodesAfterLeaving} nodes (${r.nodesBefore})`],
      ['after leaving: detached DOM nodes (before)', `${r.detachedNodesAfterLeaving ?? 'n/a'} (${r.detachedBefore ?? 'n/a'})${detached.roots.length ? `; largest trees: ${detached.roots.map((x) => `${x.root} ${x.n}`).join(', ')}` : ''}`],
      ['samples sent / acked / failed', `${r.samplesSent} / ${r.samplesAcked} / ${r.samplesFailed}`],
    ];
    console.log(`\n| fleet overview, ${cpus().length} vCPU | |\n|---|---|`);
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    if (errors.length) console.log(`page errors: ${errors.slice(0, 3).join(' | ')}`);
    console.log(`RESULT ${JSON.stringify(r)}`);
  } finally {
    await stopAll();
  }
}

if (process.argv[2] === '--role' && process.argv[3] === 'worker') runWorker();
else main().then(() => process.exit(0), (e) => { console.error(`bench:fleet failed: ${e && e.stack ? e.stack : e}`); process.exit(1); });
