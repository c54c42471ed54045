#!/usr/bin/env node
'use strict';
/**
 * Frame-rate benchmark of the dashboard with live data, in headless Chromium.
 *
 *   node bench/dashboard-fps.js [--duration 30] [--extra-agents 11] [--history-min 60]
 *                               [--overview-duration 30] [--skip-overview] [--root <dir>]
 *                               [--viewport 1440x900] [--chrome /usr/bin/chromium] [--json <file>]
 *                               [--profile] [--screenshots <dir>] [--label text] [--verbose]
 *
 * What it does (all against the production build in <root>/dist, default this repository):
 *  1. starts the built backend (`node dist/backend/main.js`) on a free port with a fresh embedded
 *     PostgreSQL in a temporary CHATOPS_DATA_DIR;
 *  2. registers a user, creates 1 + N servers and one API key each through the REST API;
 *  3. back-fills --history-min minutes of 1 s samples for the first server (one `metricsBatch`
 *     stream, like an agent replaying its buffer) so its charts open with a full history, as they
 *     would on a server that has been reporting for a while;
 *  4. starts ONE real agent process (`node dist/agent/cli.js --interval 1`) for that server and N
 *     simulated agents (socket.io-client, one realistic sample per second each) for the others;
 *  5. signs in through the UI at /login (the access token lives in memory only), opens
 *     /servers/<id> and waits until the 4 line charts + 3 gauges are drawn and live points arrive;
 *  6. measures for --duration seconds with a requestAnimationFrame loop injected in the page
 *     (frame deltas), a PerformanceObserver for 'longtask', a MutationObserver counting live
 *     updates (the CPU chart's aria-label "CPU percent chart, N points"), and the Chrome DevTools
 *     Performance metrics (main-thread task/script/layout/style time);
 *  7. does the same on the overview (/) while all 1 + N servers update every second;
 *     With --profile, a CPU profile of the page is recorded during each measurement and its self
 *     time is summarised by script (chunk) and by function (the profiler adds overhead: use the
 *     frame figures of a run without --profile);
 *  8. prints a summary (and a RESULT {json} line) and stops every process it started, also on
 *     error or Ctrl-C.
 */
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir, cpus, totalmem } = require('node:os');
const { join, resolve } = require('node:path');

const REPO = resolve(__dirname, '..');

// ---- options ---------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    duration: 30, overviewDuration: null, extraAgents: 11, historyMin: 60, skipOverview: false, skipDetail: false,
    root: REPO, viewport: '1440x900', chrome: process.env.CHROME_BIN || '/usr/bin/chromium', json: null,
    progress: 5, verbose: false, label: '', profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--duration': o.duration = Number(next()); break;
      case '--overview-duration': o.overviewDuration = Number(next()); break;
      case '--extra-agents': o.extraAgents = Number(next()); break;
      case '--history-min': o.historyMin = Number(next()); break;
      case '--skip-overview': o.skipOverview = true; break;
      case '--skip-detail': o.skipDetail = true; break;
      case '--root': o.root = resolve(next()); break;
      case '--viewport': o.viewport = next(); break;
      case '--chrome': o.chrome = next(); break;
      case '--json': o.json = resolve(next()); break;
      case '--progress': o.progress = Number(next()); break;
      case '--label': o.label = next(); break;
      case '--verbose': o.verbose = true; break;
      case '--profile': o.profile = true; break;
      case '--screenshots': o.screenshots = resolve(next()); break;
      case '-h': case '--help':
        console.log(readFileSync(__filename, 'utf8').split('\n').slice(2, 30).join('\n'));
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default: throw new Error(`unknown argument ${a} (see --help)`);
    }
  }
  if (o.overviewDuration == null) o.overviewDuration = o.duration;
  const [w, h] = o.viewport.split('x').map(Number);
  o.width = w; o.height = h;
  return o;
}

// ---- helpers ---------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

/** Everything started here, stopped in reverse order by cleanup(). */
const cleanups = [];
let cleaning = null;
function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try { await fn(); } catch (e) { console.error(`cleanup: ${e && e.message}`); }
      }
    })();
  }
  return cleaning;
}

function spawnNode(args, env, name, verbose) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  const child = spawn(process.execPath, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
    if (verbose) process.stderr.write(`[${name}] ${d}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  return { child, output: () => output, stop };
}

async function startBackend(root, verbose) {
  const main = join(root, 'dist/backend/main.js');
  for (const f of [main, join(root, 'dist/frontend/browser/index.html'), join(root, 'dist/agent/cli.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "node scripts/build.js protocol backend agent frontend"`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-fps-'));
  const port = await freePort();
  const p = spawnNode([main], { CHATOPS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }, 'backend', verbose);
  cleanups.push(async () => { await p.stop(); rmSync(dataDir, { recursive: true, force: true }); });
  const deadline = Date.now() + 90_000;
  while (!p.output().includes('ChatOps is running')) {
    if (p.child.exitCode !== null) throw new Error(`backend exited during start:\n${p.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`backend did not start in 90 s:\n${p.output().slice(-3000)}`);
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, pid: p.child.pid };
}

async function api(url, method, path, body, token) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// ---- simulated agents ------------------------------------------------------------------------

const PROCESSES = Array.from({ length: 20 }, (_, i) => ({ pid: 1000 + i, name: `proc-${i}`, user: 'www-data', cpuPercent: 1 + (i % 7), memBytes: 50e6 + i * 1e6 }));
function makeSample(seq, bootId, at, phase) {
  const w = Math.sin((at / 60_000) * Math.PI + phase); // slow wave so the lines move visibly
  const r = Math.random();
  return {
    seq, bootId, timestamp: new Date(at).toISOString(),
    cpu: { percent: Math.min(100, Math.max(0, 35 + 25 * w + 10 * r)), perCore: [21.5, 35.2, 18.9, 40.1], load: [1 + w * 0.5 + r * 0.2, 0.9, 0.8], cores: 4 },
    memory: { totalBytes: 16e9, usedBytes: 6.2e9, availableBytes: 9.8e9, percent: 45 + 10 * w + 2 * r, swapTotalBytes: 2e9, swapUsedBytes: 1e8 },
    disks: [
      { mount: '/', fs: '/dev/nvme0n1p2', type: 'ext4', totalBytes: 250e9, usedBytes: 91e9, percent: 36.4 },
      { mount: '/var/lib/data', fs: '/dev/sdb1', type: 'xfs', totalBytes: 2e12, usedBytes: 1.1e12, percent: 55 },
    ],
    network: [{ iface: 'eth0', rxBytes: 9.1e10 + seq * 1e5, txBytes: 4.2e10 + seq * 5e4, rxBps: 125000 * (1.2 + w + r), txBps: 64000 * (1.2 - w + r) }],
    diskIo: { readBps: 10240, writeBps: 204800 },
    uptimeSec: 864000 + seq,
    ...(seq % 5 === 0 ? { processes: PROCESSES } : {}),
  };
}

function connectAgent(url, key, name) {
  const { io } = require('socket.io-client');
  return new Promise((res, rej) => {
    const socket = io(`${url}/agents`, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
    const bootId = randomUUID();
    const fail = setTimeout(() => { socket.close(); rej(new Error(`${name}: no auth_success within 20 s`)); }, 20_000);
    socket.once('connect_error', (e) => { clearTimeout(fail); rej(new Error(`${name}: connect_error ${e.message}`)); });
    socket.once('auth_success', () => {
      clearTimeout(fail);
      socket.emit('hello', { agentVersion: 'bench-fps', hostname: name, os: 'linux', arch: 'x64', bootId, intervalSec: 1, capabilities: { exec: false, docker: false, terminal: false } });
      res({ socket, bootId, seq: 0 });
    });
  });
}

/** metricsBatch of `minutes` of 1 s samples ending now, like an agent replaying its buffer. */
async function backfill(url, key, minutes) {
  const a = await connectAgent(url, key, 'backfill');
  const n = Math.round(minutes * 60);
  const end = Date.now() - 2000;
  let stored = 0;
  for (let i = 0; i < n; i += 500) {
    const samples = [];
    for (let j = i; j < Math.min(n, i + 500); j++) samples.push(makeSample(j, a.bootId, end - (n - j) * 1000, 0));
    const ack = await a.socket.timeout(30_000).emitWithAck('metricsBatch', { samples });
    if (!ack || !ack.ok) throw new Error(`backfill refused: ${JSON.stringify(ack)}`);
    stored += ack.stored;
  }
  a.socket.close();
  return stored;
}

async function startSimAgents(url, creds) {
  const agents = [];
  for (const [i, c] of creds.entries()) agents.push(await connectAgent(url, c.key, `sim-${i + 1}`));
  const stats = { sent: 0, acked: 0, refused: 0 };
  const timers = agents.map((a, i) => {
    const tick = () => {
      stats.sent++;
      a.socket.timeout(10_000).emit('metrics', makeSample(a.seq++, a.bootId, Date.now(), i), (err, ack) => {
        if (!err && ack && ack.ok) stats.acked++; else stats.refused++;
      });
    };
    let iv = null;
    const first = setTimeout(() => { tick(); iv = setInterval(tick, 1000); }, Math.random() * 1000);
    return () => { clearTimeout(first); if (iv) clearInterval(iv); };
  });
  cleanups.push(async () => { timers.forEach((stop) => stop()); agents.forEach((a) => a.socket.close()); });
  return stats;
}

// ---- in-page measurement ---------------------------------------------------------------------

/** Installed with page.evaluate: rAF deltas, long tasks, and live-update counting. */
function installProbe(updateSelector) {
  const w = window;
  if (w.__fps) w.__fps.stop();
  const st = { deltas: [], longTasks: [], updates: 0, updateTimes: [], running: true, start: performance.now(), last: 0 };
  const loop = (ts) => {
    if (!st.running) return;
    if (st.last) st.deltas.push(ts - st.last);
    st.last = ts;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  let po = null;
  try {
    po = new PerformanceObserver((list) => { for (const e of list.getEntries()) st.longTasks.push([e.startTime, e.duration]); });
    po.observe({ type: 'longtask', buffered: false });
  } catch { /* not supported */ }
  const targets = [...document.querySelectorAll(updateSelector)];
  const mo = new MutationObserver((recs) => {
    // one live sample changes every watched node in the same task: count distinct tasks
    const now = performance.now();
    if (recs.length && (!st.updateTimes.length || now - st.updateTimes[st.updateTimes.length - 1] > 100)) {
      st.updates++;
      st.updateTimes.push(now);
    }
  });
  for (const t of targets) mo.observe(t, { attributes: true, characterData: true, childList: true, subtree: true });
  st.watched = targets.length;
  st.stop = () => { st.running = false; po && po.disconnect(); mo.disconnect(); };
  w.__fps = st;
  return targets.length;
}

function readProbe(final) {
  const st = window.__fps;
  if (final) st.stop();
  const elapsed = performance.now() - st.start;
  if (final) return { elapsed, deltas: st.deltas, longTasks: st.longTasks, updates: st.updates, updateTimes: st.updateTimes, watched: st.watched };
  let over50 = 0;
  for (const d of st.deltas) if (d > 50) over50++;
  return { elapsed, frames: st.deltas.length, over50, longTasks: st.longTasks.length, updates: st.updates };
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summarise(raw, cdpDelta, extra) {
  const d = raw.deltas.slice();
  const sorted = d.slice().sort((a, b) => a - b);
  const secs = raw.elapsed / 1000;
  const vsync = pct(sorted, 50); // the display interval headless Chromium runs at (≈16.7 ms)
  let missed = 0;
  for (const x of d) missed += Math.max(0, Math.round(x / vsync) - 1);
  const lt = raw.longTasks.map(([, dur]) => dur);
  return {
    ...extra,
    seconds: +secs.toFixed(1),
    frames: d.length,
    fps: +(d.length / secs).toFixed(1),
    frameMs: { p50: +pct(sorted, 50).toFixed(1), p95: +pct(sorted, 95).toFixed(1), p99: +pct(sorted, 99).toFixed(1), max: +(sorted[sorted.length - 1] ?? NaN).toFixed(1) },
    framesOver25ms: d.filter((x) => x > 25).length,
    framesOver50ms: d.filter((x) => x > 50).length,
    framesOver100ms: d.filter((x) => x > 100).length,
    missedVsyncs: missed,
    longTasks: { count: lt.length, totalMs: Math.round(lt.reduce((s, x) => s + x, 0)), maxMs: Math.round(Math.max(0, ...lt)) },
    liveUpdates: raw.updates,
    updatesPerSec: +(raw.updates / secs).toFixed(2),
    mainThread: cdpDelta,
  };
}

async function cdpMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}
function cdpDiff(a, b, secs) {
  const ms = (k) => Math.round(((b[k] ?? 0) - (a[k] ?? 0)) * 1000);
  const task = ms('TaskDuration');
  return {
    busyPercent: +((task / (secs * 1000)) * 100).toFixed(1),
    taskMs: task, scriptMs: ms('ScriptDuration'), layoutMs: ms('LayoutDuration'), styleMs: ms('RecalcStyleDuration'),
    layouts: Math.round((b.LayoutCount ?? 0) - (a.LayoutCount ?? 0)), styleRecalcs: Math.round((b.RecalcStyleCount ?? 0) - (a.RecalcStyleCount ?? 0)),
    jsHeapMB: +((b.JSHeapUsedSize ?? 0) / 1048576).toFixed(1), domNodes: b.Nodes,
  };
}

/** Self time of a CDP CPU profile by script file and by function, in ms (per live update too). */
function summariseProfile(prof, updates) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const byFile = new Map();
  const byFn = new Map();
  for (const [id, ms] of self) {
    const cf = byId.get(id).callFrame;
    const file = cf.url ? cf.url.split('/').pop() || cf.url : `(${cf.functionName || 'native'})`;
    if (['(idle)', '(program)'].includes(file) || cf.functionName === '(idle)') continue;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const fn = `${cf.functionName || '(anonymous)'} ${cf.url ? `${file}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : ''}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => ({ name: k, ms: Math.round(v), msPerUpdate: updates ? +(v / updates).toFixed(1) : null }));
  return { byFile: top(byFile, 8), byFunction: top(byFn, 15) };
}

async function measure(page, cdp, name, seconds, updateSelector, progressEvery, extraInfo, profile) {
  const watched = await page.evaluate(installProbe, updateSelector);
  if (!watched) throw new Error(`${name}: nothing matches ${updateSelector}`);
  const before = await cdpMetrics(cdp);
  if (profile) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 500 }); await cdp.send('Profiler.start'); }
  const start = Date.now();
  log(`${name}: measuring for ${seconds} s (watching ${watched} element(s) for live updates)`);
  let nextProgress = start + progressEvery * 1000;
  while (Date.now() - start < seconds * 1000) {
    await sleep(Math.min(250, Math.max(0, nextProgress - Date.now())));
    if (Date.now() >= nextProgress) {
      nextProgress += progressEvery * 1000;
      const p = await page.evaluate(readProbe, false);
      log(`${name}: ${(p.elapsed / 1000).toFixed(0).padStart(3)} s  frames ${p.frames}  (${(p.frames / (p.elapsed / 1000)).toFixed(1)} fps)  ` +
        `>50 ms ${p.over50}  long tasks ${p.longTasks}  live updates ${p.updates}`);
    }
  }
  const raw = await page.evaluate(readProbe, true);
  const after = await cdpMetrics(cdp);
  const extra = typeof extraInfo === 'function' ? await extraInfo() : {};
  if (profile) {
    const { profile: prof } = await cdp.send('Profiler.stop');
    extra.profile = summariseProfile(prof, raw.updates);
  }
  return summarise(raw, cdpDiff(before, after, raw.elapsed / 1000), { page: name, ...extra });
}

async function shot(page, dir, name) {
  require('node:fs').mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

function printResult(r) {
  const m = r.mainThread;
  console.log(`\n== ${r.page} ==`);
  console.log(`  ${r.seconds} s, ${r.frames} frames = ${r.fps} fps; frame time p50 ${r.frameMs.p50} / p95 ${r.frameMs.p95} / p99 ${r.frameMs.p99} / max ${r.frameMs.max} ms`);
  console.log(`  frames > 25 ms: ${r.framesOver25ms}, > 50 ms: ${r.framesOver50ms}, > 100 ms: ${r.framesOver100ms}; missed vsyncs (dropped frames): ${r.missedVsyncs}`);
  console.log(`  long tasks: ${r.longTasks.count} (total ${r.longTasks.totalMs} ms, max ${r.longTasks.maxMs} ms)`);
  console.log(`  live updates seen: ${r.liveUpdates} (${r.updatesPerSec}/s)${r.points ? `; CPU chart points ${r.points.before} → ${r.points.after}` : ''}`);
  if (r.profile) {
    console.log('  CPU profile, self time by script (ms total / per live update):');
    for (const f of r.profile.byFile) console.log(`    ${String(f.ms).padStart(6)} ms  ${String(f.msPerUpdate).padStart(6)}  ${f.name}`);
    console.log('  CPU profile, top functions by self time:');
    for (const f of r.profile.byFunction) console.log(`    ${String(f.ms).padStart(6)} ms  ${String(f.msPerUpdate).padStart(6)}  ${f.name}`);
  }
  console.log(`  main thread: busy ${m.busyPercent} % (tasks ${m.taskMs} ms: script ${m.scriptMs}, layout ${m.layoutMs} [${m.layouts}×], style ${m.styleMs} [${m.styleRecalcs}×]); JS heap ${m.jsHeapMB} MB, ${m.domNodes} DOM nodes`);
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { chromium } = require('playwright-core');
  if (!existsSync(o.chrome)) throw new Error(`Chromium not found at ${o.chrome} (apt-get install -y chromium, or --chrome)`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: +(totalmem() / 1e9).toFixed(1), node: process.version };
  log(`machine: ${machine.cpus} vCPU (${machine.cpuModel}), ${machine.memGB} GB; build from ${o.root}/dist${o.label ? `; label "${o.label}"` : ''}`);

  const backend = await startBackend(o.root, o.verbose);
  log(`backend pid ${backend.pid} at ${backend.url}`);

  const id = randomUUID().slice(0, 8);
  const user = { username: `fps_${id}`, email: `fps_${id}@example.test`, password: 'bench-password-123' };
  const { accessToken } = await api(backend.url, 'POST', '/auth/register', user);
  const creds = [];
  for (let i = 0; i <= o.extraAgents; i++) {
    const server = await api(backend.url, 'POST', '/servers', { name: i === 0 ? 'fps-real-agent' : `fps-sim-${String(i).padStart(2, '0')}` }, accessToken);
    const key = await api(backend.url, 'POST', '/api-keys', { serverId: server.id, name: 'bench' }, accessToken);
    creds.push({ serverId: server.id, key: key.key });
  }
  log(`registered ${user.username}, created ${creds.length} servers + API keys`);

  if (o.historyMin > 0) {
    const stored = await backfill(backend.url, creds[0].key, o.historyMin);
    log(`back-filled ${stored} samples (${o.historyMin} min at 1 s) for ${creds[0].serverId}`);
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'chatops-fps-agent-'));
  const agent = spawnNode([join(o.root, 'dist/agent/cli.js'), '--url', backend.url, '--api-key', creds[0].key, '--interval', '1', '--state-dir', stateDir],
    { CHATOPS_LOG_LEVEL: 'warn' }, 'agent', o.verbose);
  cleanups.push(async () => { await agent.stop(); rmSync(stateDir, { recursive: true, force: true }); });
  log(`real agent pid ${agent.child.pid} (--interval 1)`);
  const sim = await startSimAgents(backend.url, creds.slice(1));
  log(`${creds.length - 1} simulated agents reporting every second`);

  const browser = await chromium.launch({
    executablePath: o.chrome,
    headless: true,
    // our own signal handlers stop everything in order (Playwright's would exit first)
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  cleanups.push(() => browser.close());
  const ctx = await browser.newContext({ viewport: { width: o.width, height: o.height } });
  const page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' }).catch(() => cdp.send('Performance.enable'));
  const browserVersion = browser.version();
  log(`Chromium ${browserVersion} headless, --disable-gpu (software rendering), viewport ${o.width}x${o.height}`);

  // sign in through the UI: the access token only lives in the app's memory
  await page.goto(`${backend.url}/login`);
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${backend.url}/`, { timeout: 20_000 });
  log('signed in through /login');

  const results = [];
  if (!o.skipDetail) {
    const serverId = creds[0].serverId;
    await page.goto(`${backend.url}/servers/${serverId}`);
    const pointsNow = () => page.evaluate(() => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label')?.match(/(\d+) points/)?.[1] ?? 0));
    await page.waitForFunction(() => /[1-9]\d* points/.test(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label') ?? ''), null, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('.charts canvas').length >= 4 && document.querySelectorAll('.gauges canvas').length >= 3, null, { timeout: 30_000 });
    const p0 = await pointsNow();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('aria-label')?.match(/(\d+) points/)?.[1] ?? 0) > n, p0, { timeout: 20_000 });
    const charts = await page.evaluate(() => ({ lines: document.querySelectorAll('.charts [echarts]').length, gauges: document.querySelectorAll('.gauges [echarts]').length }));
    log(`server detail ready: ${charts.lines} line charts + ${charts.gauges} gauges, CPU chart has ${await pointsNow()} points; settling 3 s`);
    await sleep(3000);
    const before = await pointsNow();
    const r = await measure(page, cdp, 'server detail', o.duration, '[data-testid="chart-cpu"]', o.progress, async () => ({ charts, points: { before, after: await pointsNow() } }), o.profile);
    results.push(r);
    printResult(r);
    if (o.screenshots) await shot(page, o.screenshots, 'fps-server-detail');
  }

  if (!o.skipOverview) {
    await page.goto(`${backend.url}/`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="server-card"]').length >= n, creds.length, { timeout: 30_000 });
    await sleep(3000);
    const cards = await page.evaluate(() => document.querySelectorAll('[data-testid="server-card"]').length);
    log(`overview ready: ${cards} server cards; settling 2 s`);
    await sleep(2000);
    const r = await measure(page, cdp, 'overview', o.overviewDuration, '[data-testid="server-card"] [data-testid="cpu"]', o.progress, async () => ({ cards }), o.profile);
    results.push(r);
    printResult(r);
    if (o.screenshots) await shot(page, o.screenshots, 'fps-overview');
  }

  const agentAlive = agent.child.exitCode === null;
  console.log(`\nsimulated agents: ${sim.sent} samples sent, ${sim.acked} acknowledged, ${sim.refused} refused/timed out; real agent ${agentAlive ? 'running' : `exited (${agent.output().slice(-500)})`}`);
  if (pageErrors.length) console.log(`page errors (${pageErrors.length}): ${pageErrors.slice(0, 5).join(' | ')}`);
  const summary = { label: o.label, machine, chromium: browserVersion, rendering: 'headless, --disable-gpu (software raster)', viewport: o.viewport, extraAgents: o.extraAgents, historyMin: o.historyMin, results };
  if (o.json) writeFileSync(o.json, JSON.stringify(summary, null, 2));
  console.log(`RESULT ${JSON.stringify(summary)}`);
}

process.on('SIGINT', () => { console.error('interrupted: stopping processes'); cleanup().then(() => process.exit(130)); });
process.on('SIGTERM', () => { console.error('terminated: stopping processes'); cleanup().then(() => process.exit(143)); });
process.on('SIGHUP', () => { cleanup().then(() => process.exit(129)); });

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (e) => {
    console.error(`dashboard-fps failed: ${e && e.stack ? e.stack : e}`);
    await cleanup();
    process.exit(1);
  });
