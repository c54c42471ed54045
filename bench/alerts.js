#!/usr/bin/env node
'use strict';
/**
 * Alerting benchmark: the ingest load of bench/ingest.js, once without rules and once with N rules
 * per server, side by side in one run; then fire probes under that load, timed to a /live browser
 * socket and to a webhook receiver.
 *
 *   npm run bench:alerts -- --agents 1000 --interval 5 --duration 30 --procs 2
 *   npm run bench:alerts -- --agents 1000 --only with --probes 50
 *   npm run bench:alerts -- --agents 1000 --ab 4 --window 30     (one backend, rules off/on alternately)
 *
 * Roles: the coordinator (default) and the load workers (`--role worker`, forked). See bench/README.md.
 */
const { fork, spawn } = require('node:child_process');
const { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const http = require('node:http');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { randomUUID } = require('node:crypto');

const ROOT = resolve(__dirname, '..');
const CLK_TCK = 100;

function parseArgs(argv) {
  const opts = {
    agents: 1000, interval: 5, duration: 30, procs: 2, rules: 10, probes: 40, only: 'both', role: 'main', ab: 0, window: 30,
    setupConcurrency: 16, connectConcurrency: 100, ackTimeout: 10, verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key === 'help') { console.log(readFileSync(__filename, 'utf8').split('\n').slice(2, 13).join('\n')); process.exit(0); }
    if (!(key in opts)) throw new Error(`unknown option ${a}`);
    if (typeof opts[key] === 'boolean') opts[key] = true;
    else opts[key] = typeof opts[key] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  if (!['both', 'with', 'without'].includes(opts.only)) throw new Error('--only is both, with or without');
  if (opts.rules < 1 || opts.rules > RULES.length) throw new Error(`--rules is 1..${RULES.length}`);
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => process.stdout.write(`[bench] ${msg}\n`);
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const fmtMs = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}

// ---- CPU of the backend and its PostgreSQL (as bench/ingest.js) ------------------------------

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return null; }
}
function descendants(pid) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited */ }
  }
  const out = [];
  const walk = (p) => { for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}
class CpuMeter {
  constructor(pid) { this.pid = pid; this.start = this.snapshot(); }
  snapshot() { return { at: process.hrtime.bigint(), self: cpuTicks(this.pid) ?? 0, kids: new Map(descendants(this.pid).map((p) => [p, cpuTicks(p) ?? 0])) }; }
  read() {
    const now = this.snapshot();
    const sec = Number(now.at - this.start.at) / 1e9;
    let kids = 0;
    for (const [p, t] of now.kids) kids += t - (this.start.kids.get(p) ?? 0);
    return { self: ((now.self - this.start.self) / CLK_TCK / sec) * 100, kids: (kids / CLK_TCK / sec) * 100 };
  }
}

// ---- samples and rules -------------------------------------------------------------------------

const PROCESSES = Array.from({ length: 20 }, (_, i) => ({ pid: 1000 + i, name: `proc-${i}`, user: 'www-data', cpuPercent: 1.5, memBytes: 50e6 }));
function makeSample(seq, bootId, cpu) {
  const r = Math.random();
  const sample = {
    seq, bootId, timestamp: new Date().toISOString(),
    cpu: { percent: cpu ?? 20 + r * 30, perCore: [21.5, 35.2, 18.9, 40.1], load: [0.82, 0.71, 0.65], cores: 4 },
    memory: { totalBytes: 16e9, usedBytes: 6.2e9, availableBytes: 9.8e9, percent: 38.75, swapTotalBytes: 2e9, swapUsedBytes: 1e8 },
    disks: [
      { mount: '/', fs: '/dev/nvme0n1p2', type: 'ext4', totalBytes: 250e9, usedBytes: 91e9, percent: 36.4 },
      { mount: '/boot', fs: '/dev/nvme0n1p1', type: 'vfat', totalBytes: 512e6, usedBytes: 61e6, percent: 11.9 },
      { mount: '/var/lib/data', fs: '/dev/sdb1', type: 'xfs', totalBytes: 2e12, usedBytes: 1.1e12, percent: 55 },
    ],
    network: [
      { iface: 'eth0', rxBytes: 9.1e10, txBytes: 4.2e10, rxBps: 125000 * r, txBps: 64000 * r },
      { iface: 'docker0', rxBytes: 1.2e9, txBytes: 3.4e9, rxBps: 2000, txBps: 5000 },
    ],
    diskIo: { readBps: 10240, writeBps: 204800 },
    uptimeSec: 864000 + seq * 5,
  };
  if (seq % 6 === 0) sample.processes = PROCESSES;
  return sample;
}

/** Ten realistic rules per server; the first (cpu > 95) is the one the probes trip, and it notifies the webhook. */
const RULES = [
  { metricType: 'cpu', comparison: 'gt', thresholdValue: 95, severity: 'critical' },
  { metricType: 'cpu', comparison: 'gt', thresholdValue: 85, durationSec: 60, clearValue: 70 },
  { metricType: 'memory', comparison: 'gt', thresholdValue: 95 },
  { metricType: 'disk', comparison: 'gt', thresholdValue: 90 },
  { metricType: 'disk', comparison: 'gt', thresholdValue: 95, target: '*', severity: 'critical' },
  { metricType: 'swap', comparison: 'gt', thresholdValue: 80, durationSec: 300 },
  { metricType: 'load1', comparison: 'gt', thresholdValue: 64, durationSec: 120 },
  { metricType: 'network_rx', comparison: 'gt', thresholdValue: 1e9, target: '*' },
  { metricType: 'network_tx', comparison: 'gt', thresholdValue: 1e9 },
  { metricType: 'offline', comparison: 'eq', thresholdValue: 1, durationSec: 120 },
];

// ---- role: load worker (agents reporting every interval, as bench/ingest.js) -------------------

function runWorker() {
  const { io } = require('socket.io-client');
  let cfg;
  const agents = [];
  let latencies = [];
  const totals = { sent: 0, acked: 0, timeouts: 0 };
  const connect = (key) => new Promise((res, rej) => {
    const socket = io(`${cfg.url}/agents`, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20000 });
    const a = { socket, bootId: randomUUID(), seq: 0, timer: null };
    socket.once('connect_error', (e) => rej(new Error(`connect_error: ${e.message}`)));
    socket.once('auth_success', () => {
      socket.emit('hello', { agentVersion: 'bench', hostname: 'bench', os: 'linux', arch: 'x64', bootId: a.bootId, intervalSec: cfg.interval, capabilities: { exec: false, docker: false, terminal: false } });
      setTimeout(() => { tick(a); a.timer = setInterval(() => tick(a), cfg.interval * 1000); }, Math.random() * cfg.interval * 1000);
      res(a);
    });
  });
  function tick(a) {
    const t0 = process.hrtime.bigint();
    totals.sent++;
    a.socket.timeout(cfg.ackTimeout * 1000).emit('metrics', makeSample(a.seq++, a.bootId), (err, ack) => {
      if (err) totals.timeouts++;
      else if (ack && ack.ok) { totals.acked++; latencies.push(Number(process.hrtime.bigint() - t0) / 1e6); }
    });
  }
  process.on('message', async (msg) => {
    if (msg.type === 'init') {
      cfg = msg.cfg;
      try {
        agents.push(...(await pool(msg.keys, cfg.connectConcurrency, connect)));
        process.send({ type: 'connected' });
      } catch (err) { process.send({ type: 'error', error: err.message }); }
    } else if (msg.type === 'reset') {
      latencies = [];
    } else if (msg.type === 'report') {
      process.send({ type: 'report', latencies, totals });
      latencies = [];
    } else if (msg.type === 'stop') {
      for (const a of agents) { clearInterval(a.timer); a.socket.close(); }
      setTimeout(() => process.exit(0), 100);
    }
  });
}

// ---- coordinator -------------------------------------------------------------------------------

async function startBackend(opts, extraEnv) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-'));
  chmodSync(dataDir, 0o755);
  const env = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', CHATOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
    SERVE_FRONTEND: 'false', AUTH_RATE_LIMIT: '1000/60', ...extraEnv,
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/backend/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; if (opts.verbose) process.stderr.write(d); });
  child.stderr.on('data', (d) => { output += d; if (/"level":(50|60)/.test(String(d))) process.stderr.write(`[backend] ${String(d).slice(0, 400)}\n`); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited during start:\n${output.slice(-2000)}`);
    try { if ((await fetch(`${url}/health/ready`)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`backend did not become ready:\n${output.slice(-2000)}`);
    await sleep(200);
  }
  return {
    url, pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function api(url, path, body, token) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A local webhook receiver: records when each server's alert arrived. */
async function startReceiver() {
  const arrivals = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try { for (const a of JSON.parse(Buffer.concat(chunks).toString()).alerts) arrivals.push({ at, serverId: a.serverId, type: a.status }); } catch { /* not ours */ }
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, arrivals, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function runVariant(opts, withRules) {
  const receiver = withRules ? await startReceiver() : null;
  const target = await startBackend(opts, { NOTIFY_ALLOW_PRIVATE: 'true' });
  log(`[${withRules ? 'with rules' : 'no rules'}] backend pid ${target.pid} at ${target.url}`);
  const workers = [];
  try {
    const id = randomUUID().slice(0, 8);
    const { accessToken: token } = await api(target.url, '/auth/register', { username: `bench_${id}`, email: `bench_${id}@example.test`, password: 'bench-password-123' });
    const probes = withRules ? opts.probes : 0;
    const t0 = Date.now();
    const channel = withRules ? await api(target.url, '/notifications/channels', { name: 'bench', type: 'webhook', url: receiver.url, secret: 'bench-secret-0123456789' }, token) : null;
    const creds = await pool(Array.from({ length: opts.agents + probes }, (_, i) => i), opts.setupConcurrency, async (i) => {
      const server = await api(target.url, '/servers', { name: `bench-${i}` }, token);
      const key = await api(target.url, '/api-keys', { serverId: server.id, name: 'bench' }, token);
      if (withRules) {
        for (const [j, rule] of RULES.slice(0, opts.rules).entries()) {
          await api(target.url, '/alerts/thresholds', { ...rule, serverId: server.id, channelIds: j === 0 ? [channel.id] : [] }, token);
        }
      }
      return { serverId: server.id, key: key.key };
    });
    log(`provisioned ${creds.length} servers${withRules ? ` with ${opts.rules} rules each (${creds.length * opts.rules} rules)` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const load = creds.slice(0, opts.agents);
    const cfg = { url: target.url, interval: opts.interval, ackTimeout: opts.ackTimeout, connectConcurrency: Math.ceil(opts.connectConcurrency / opts.procs) };
    for (let i = 0; i < opts.procs; i++) workers.push(fork(__filename, ['--role', 'worker'], { stdio: 'inherit' }));
    await Promise.all(workers.map((w, i) => new Promise((res, rej) => {
      w.once('message', (m) => (m.type === 'connected' ? res() : rej(new Error(m.error))));
      w.send({ type: 'init', cfg, keys: load.filter((_, j) => j % opts.procs === i).map((c) => c.key) });
    })));
    log(`${opts.agents} agents connected, reporting every ${opts.interval} s; settling for one interval`);
    await sleep(opts.interval * 1000 + 1000);
    for (const w of workers) w.send({ type: 'reset' });
    const meter = new CpuMeter(target.pid);
    await sleep(opts.duration * 1000);
    const cpu = meter.read();
    const reports = await Promise.all(workers.map((w) => new Promise((res) => { w.once('message', res); w.send({ type: 'report' }); })));
    const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const result = {
      rules: withRules ? opts.rules : 0, agents: opts.agents, interval: opts.interval, duration: opts.duration,
      acked: lat.length, timeouts: reports.reduce((n, r) => n + r.totals.timeouts, 0),
      ackP50: percentile(lat, 50), ackP99: percentile(lat, 99), cpu: cpu.self, pgCpu: cpu.kids,
    };
    log(`[${withRules ? 'with rules' : 'no rules'}] backend CPU ${cpu.self.toFixed(1)}% (+pg ${cpu.kids.toFixed(1)}%), ack p50 ${fmtMs(result.ackP50)} p99 ${fmtMs(result.ackP99)}, ${result.acked} acks, ${result.timeouts} timeouts`);
    if (withRules) Object.assign(result, await fireProbes(target, token, creds.slice(opts.agents), receiver, opts));
    return result;
  } finally {
    for (const w of workers) w.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)))));
    await target.stop();
    await receiver?.close();
  }
}

/** Under the load: one probe server at a time sends a breaching sample; time to /live and to the webhook. */
async function fireProbes(target, token, probes, receiver, opts) {
  const { io } = require('socket.io-client');
  const live = io(`${target.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise((res, rej) => { live.once('connect', res); live.once('connect_error', rej); });
  const fired = new Map();
  live.on('alert', ({ alert, change }) => { if (change === 'fired') fired.set(alert.serverId, Date.now()); });
  const toBrowser = [];
  const toWebhook = [];
  let missed = 0;
  for (const p of probes) {
    const ack = await live.timeout(5000).emitWithAck('subscribe', { serverId: p.serverId });
    if (!ack.ok) throw new Error('subscribe failed');
    const socket = io(`${target.url}/agents`, { auth: { apiKey: p.key }, transports: ['websocket'], forceNew: true, reconnection: false });
    const bootId = randomUUID();
    await new Promise((res, rej) => { socket.once('auth_success', res); socket.once('connect_error', rej); });
    socket.emit('hello', { agentVersion: 'bench', hostname: 'probe', os: 'linux', arch: 'x64', bootId, intervalSec: opts.interval, capabilities: { exec: false, docker: false, terminal: false } });
    await socket.timeout(10000).emitWithAck('metrics', makeSample(1, bootId, 20));
    const sentAt = Date.now();
    await socket.timeout(10000).emitWithAck('metrics', makeSample(2, bootId, 99));
    const deadline = Date.now() + 10_000;
    let hook;
    while (Date.now() < deadline && (!fired.has(p.serverId) || !(hook = receiver.arrivals.find((x) => x.serverId === p.serverId)))) await sleep(5);
    if (fired.has(p.serverId)) toBrowser.push(fired.get(p.serverId) - sentAt); else missed++;
    if (hook) toWebhook.push(hook.at - sentAt); else missed++;
    await socket.timeout(10000).emitWithAck('metrics', makeSample(3, bootId, 10)); // resolves it
    socket.close();
    await sleep(100);
  }
  live.close();
  toBrowser.sort((a, b) => a - b);
  toWebhook.sort((a, b) => a - b);
  const out = {
    probes: probes.length, missed,
    fireToBrowserP50: percentile(toBrowser, 50), fireToBrowserP99: percentile(toBrowser, 99),
    fireToWebhookP50: percentile(toWebhook, 50), fireToWebhookP99: percentile(toWebhook, 99),
  };
  log(`fire probes: ${probes.length} (${missed} missed); sample → browser p50 ${fmtMs(out.fireToBrowserP50)} p99 ${fmtMs(out.fireToBrowserP99)}; sample → webhook p50 ${fmtMs(out.fireToWebhookP50)} p99 ${fmtMs(out.fireToWebhookP99)}`);
  return out;
}

/**
 * One backend, the rules applying to every server (owner-wide), switched off and on in alternating
 * windows under the same load: on a machine shared with other work, drift in the background load
 * hits both phases alike, which two backends measured one after the other cannot promise.
 */
async function runAlternating(opts) {
  const receiver = opts.probes > 0 ? await startReceiver() : null;
  // The probes fire one owner-wide rule on server after server: grouping would batch them (that is
  // what it is for), so it is off here and each probe's notification is a message of its own.
  const target = await startBackend(opts, { NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_GROUP_WINDOW_SEC: '0' });
  log(`[alternating] backend pid ${target.pid} at ${target.url}`);
  const workers = [];
  try {
    const id = randomUUID().slice(0, 8);
    const { accessToken: token } = await api(target.url, '/auth/register', { username: `bench_${id}`, email: `bench_${id}@example.test`, password: 'bench-password-123' });
    const creds = await pool(Array.from({ length: opts.agents + opts.probes }, (_, i) => i), opts.setupConcurrency, async (i) => {
      const server = await api(target.url, '/servers', { name: `bench-${i}` }, token);
      const key = await api(target.url, '/api-keys', { serverId: server.id, name: 'bench' }, token);
      return { serverId: server.id, key: key.key };
    });
    const channel = receiver ? await api(target.url, '/notifications/channels', { name: 'bench', type: 'webhook', url: receiver.url, secret: 'bench-secret-0123456789' }, token) : null;
    const rules = [];
    for (const [j, rule] of RULES.slice(0, opts.rules).entries()) {
      rules.push(await api(target.url, '/alerts/thresholds', { ...rule, enabled: false, channelIds: j === 0 && channel ? [channel.id] : [] }, token));
    }
    const toggle = (enabled) => Promise.all(rules.map((r) => fetch(`${target.url}/api/v1/alerts/thresholds/${r.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ enabled }),
    }).then((res) => { if (!res.ok) throw new Error(`PUT rule → ${res.status}`); })));
    const cfg = { url: target.url, interval: opts.interval, ackTimeout: opts.ackTimeout, connectConcurrency: Math.ceil(opts.connectConcurrency / opts.procs) };
    for (let i = 0; i < opts.procs; i++) workers.push(fork(__filename, ['--role', 'worker'], { stdio: 'inherit' }));
    await Promise.all(workers.map((w, i) => new Promise((res, rej) => {
      w.once('message', (m) => (m.type === 'connected' ? res() : rej(new Error(m.error))));
      w.send({ type: 'init', cfg, keys: creds.slice(0, opts.agents).filter((_, j) => j % opts.procs === i).map((c) => c.key) });
    })));
    log(`${opts.agents} agents connected; ${opts.rules} rules per server (owner-wide), ${opts.ab} off/on rounds of ${opts.window} s windows`);
    // One unmeasured window first: JIT warm-up and the connection bookkeeping settle.
    await sleep(opts.interval * 1000 + opts.window * 1000);
    const phases = { off: [], on: [] };
    for (let i = 0; i < opts.ab * 2; i++) {
      const on = i % 2 === 1;
      await toggle(on);
      await sleep(1000);
      for (const w of workers) w.send({ type: 'reset' });
      const meter = new CpuMeter(target.pid);
      await sleep(opts.window * 1000);
      const cpu = meter.read();
      const reports = await Promise.all(workers.map((w) => new Promise((res) => { w.once('message', res); w.send({ type: 'report' }); })));
      const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
      phases[on ? 'on' : 'off'].push({ cpu: cpu.self, pg: cpu.kids, p50: percentile(lat, 50), p99: percentile(lat, 99), acks: lat.length });
      log(`window ${i + 1}: rules ${on ? 'on ' : 'off'}  backend CPU ${cpu.self.toFixed(1)}% (+pg ${cpu.kids.toFixed(1)}%)  ack p50 ${fmtMs(percentile(lat, 50))} p99 ${fmtMs(percentile(lat, 99))}`);
    }
    const mean = (xs, k) => xs.reduce((a, x) => a + x[k], 0) / xs.length;
    const out = {
      agents: opts.agents, rules: opts.rules, rounds: opts.ab, window: opts.window,
      cpuOff: mean(phases.off, 'cpu'), cpuOn: mean(phases.on, 'cpu'), p99Off: mean(phases.off, 'p99'), p99On: mean(phases.on, 'p99'), phases,
    };
    out.cpuDeltaPercent = ((out.cpuOn - out.cpuOff) / out.cpuOff) * 100;
    log(`mean backend CPU: rules on ${out.cpuOn.toFixed(2)}% vs off ${out.cpuOff.toFixed(2)}% (${out.cpuDeltaPercent >= 0 ? '+' : ''}${out.cpuDeltaPercent.toFixed(1)}%); mean window p99 ack on ${fmtMs(out.p99On)} vs off ${fmtMs(out.p99Off)}`);
    if (receiver) {
      await toggle(true);
      Object.assign(out, await fireProbes(target, token, creds.slice(opts.agents), receiver, opts));
    }
    return out;
  } finally {
    for (const w of workers) w.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)))));
    await target.stop();
    await receiver?.close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.role === 'worker') return runWorker();
  if (opts.ab > 0) {
    process.stdout.write(`RESULT ${JSON.stringify({ alternating: await runAlternating(opts) })}\n`);
    process.exit(0);
  }
  const results = {};
  if (opts.only !== 'with') results.without = await runVariant(opts, false);
  if (opts.only !== 'without') results.with = await runVariant(opts, true);
  if (results.with && results.without) {
    const delta = ((results.with.cpu - results.without.cpu) / results.without.cpu) * 100;
    results.cpuDeltaPercent = delta;
    log(`backend CPU with ${opts.rules} rules per server: ${results.with.cpu.toFixed(1)}% vs ${results.without.cpu.toFixed(1)}% without (${delta >= 0 ? '+' : ''}${delta.toFixed(1)}%)`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err.stack || err}\n`);
  process.exit(1);
});
