#!/usr/bin/env node
'use strict';
/**
 * Ingest benchmark: simulated agents (real socket.io clients) against a real backend + PostgreSQL.
 *
 *   npm run bench:ingest -- --agents 1000 --interval 5 --duration 30 [--procs 2]
 *   npm run bench:ingest -- --agents 200 --saturate --duration 20
 *   npm run bench:ingest -- --agents 1000 --interval 5 --duration 30 --bare   (transport baseline)
 *   npm run bench:ingest -- --storage 100000                                  (bytes per stored sample)
 *   npm run bench:ingest -- --agents 2000 --interval 5 --browsers 100           (+ live latency to browsers)
 *   npm run bench:ingest -- --agents 2000 --interval 5 --browsers 20 --instances 2  (one instance, then two on Redis)
 *   npm run bench:ingest -- --agents 10000 --interval 5 --procs 4 --instances 2 --skip-single  (two only)
 *
 * The same file runs in three roles: the coordinator (default), a load worker (`--role worker`,
 * forked) and the bare Socket.IO server (`--role bare-server`, forked). See bench/README.md.
 */
const { fork, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync, chmodSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { randomUUID } = require('node:crypto');

const ROOT = resolve(__dirname, '..');
const CLK_TCK = 100; // `getconf CLK_TCK` on Linux

// ---- arguments -------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {
    agents: 100, interval: 5, duration: 30, procs: 1, saturate: false, bare: false, storage: 0, browsers: 0,
    progress: 5, instances: 1, setupConcurrency: 16, connectConcurrency: 100, ackTimeout: 10, role: 'main', keep: false, verbose: false, nodeArgs: '',
    skipSingle: false, backend: join(ROOT, 'dist/backend/main.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (typeof opts[key] === 'boolean') opts[key] = true;
    else if (key in opts) opts[key] = typeof opts[key] === 'number' ? Number(argv[++i]) : argv[++i];
    else if (key === 'help') { console.log(readFileSync(__filename, 'utf8').split('\n').slice(2, 15).join('\n')); process.exit(0); }
    else throw new Error(`unknown option ${a}`);
  }
  for (const k of ['agents', 'interval', 'duration', 'procs', 'instances']) if (!(opts[k] > 0)) throw new Error(`--${k} must be > 0`);
  return opts;
}

// ---- small helpers ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => process.stdout.write(`[bench] ${msg}\n`);

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}

/** CPU ticks (user + system) of one process, or null once it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  } catch { return null; }
}
function rssBytes(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; } catch { return 0; }
}
/** Every descendant of `pid` (the embedded PostgreSQL's postmaster and its backends). */
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

/** CPU% of one process (and, separately, of its descendants) between two calls. */
class CpuMeter {
  constructor(pid) { this.pid = pid; this.reset(); }
  snapshot() {
    const kids = new Map(descendants(this.pid).map((p) => [p, cpuTicks(p) ?? 0]));
    return { at: process.hrtime.bigint(), self: cpuTicks(this.pid) ?? 0, kids };
  }
  reset() { this.start = this.snapshot(); this.maxRss = 0; }
  read() {
    const now = this.snapshot();
    const sec = Number(now.at - this.start.at) / 1e9;
    let kids = 0;
    for (const [p, t] of now.kids) kids += t - (this.start.kids.get(p) ?? 0);
    this.maxRss = Math.max(this.maxRss, rssBytes(this.pid));
    return { self: ((now.self - this.start.self) / CLK_TCK / sec) * 100, kids: (kids / CLK_TCK / sec) * 100, rss: rssBytes(this.pid), maxRss: this.maxRss, sec };
  }
}

/** CpuMeter over several backend processes: CPU and RSS summed, PostgreSQL (children) of them all. */
class ClusterMeter {
  constructor(pids) { this.meters = pids.map((p) => new CpuMeter(p)); }
  reset() { for (const m of this.meters) m.reset(); }
  read() {
    const rs = this.meters.map((m) => m.read());
    const add = (k) => rs.reduce((n, r) => n + r[k], 0);
    return { self: add('self'), kids: add('kids'), rss: add('rss'), maxRss: add('maxRss'), sec: rs[0].sec, perInstanceRss: rs.map((r) => r.rss) };
  }
}

// ---- a realistic ~1 KB sample ----------------------------------------------------------------

const PROCESSES = Array.from({ length: 20 }, (_, i) => ({ pid: 1000 + i, name: `proc-${i}`, user: 'www-data', cpuPercent: 1.5, memBytes: 50e6 }));
function makeSample(seq, bootId) {
  const r = Math.random();
  const sample = {
    seq, bootId, timestamp: new Date().toISOString(),
    cpu: { percent: 20 + r * 30, perCore: [21.5, 35.2, 18.9, 40.1], load: [0.82, 0.71, 0.65], cores: 4 },
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

// ---- role: browsers (live subscribers on /live) ------------------------------------------------

/**
 * N dashboard sockets on /live, each subscribed to its share of the servers (every server watched
 * by at least one). Latency = arrival time − the sample's timestamp, which the simulated agent sets
 * when it sends the frame (same machine, same clock).
 */
function runBrowsers() {
  const { io } = require('socket.io-client');
  const sockets = [];
  let latencies = [];
  let deliveries = 0;
  /** Subscriptions answered `unavailable` (or not at all) and sent again, as the dashboard would. */
  let subscribeRetries = 0;
  process.on('message', async (m) => {
    if (m.type === 'init') {
      const { url, token, browsers, serverIds } = m;
      for (let b = 0; b < browsers; b++) {
        const socket = io(`${url}/live`, { auth: { token }, transports: ['websocket'], reconnection: false });
        let disconnectReason = null;
        socket.on('disconnect', (reason, details) => (disconnectReason = `${reason}${details?.description ? ` (${details.description?.message ?? details.description})` : ''}`));
        await new Promise((res, rej) => { socket.once('connect', res); socket.once('connect_error', rej); });
        const mine = serverIds.filter((_, i) => i % browsers === b);
        for (const [k, serverId] of mine.entries()) {
          const t0 = Date.now();
          let ack;
          // The backend answers `unavailable` when its database check timed out (the pool is busy
          // while 10,000 agents connect): wait a second and ask again, at most 5 times.
          for (let attempt = 0; ; attempt++) {
            ack = await socket.timeout(10_000).emitWithAck('subscribe', { serverId }).catch((err) => ({ ok: false, error: err.message }));
            if (ack.ok || attempt === 5 || !(ack.error === 'unavailable' || /timed out/.test(ack.error))) break;
            subscribeRetries++;
            await new Promise((r) => setTimeout(r, 1000));
          }
          if (!ack.ok) {
            // Say which subscription failed and after how long, instead of a bare stack.
            process.send({ type: 'failed', message: `browser ${b + 1}/${browsers}: subscribe ${k + 1}/${mine.length} (server ${serverId}) failed after ${Date.now() - t0} ms: ${JSON.stringify(ack)}${disconnectReason ? `; the socket disconnected: ${disconnectReason}` : ''}` }, () => process.exit(1));
            return;
          }
        }
        socket.on('metrics', ({ sample }) => {
          deliveries++;
          latencies.push(Date.now() - Date.parse(sample.timestamp));
        });
        sockets.push(socket);
      }
      process.send({ type: 'ready', subscribeRetries });
    } else if (m.type === 'reset') {
      latencies = [];
      deliveries = 0;
    } else if (m.type === 'report') {
      // Exit only once the report is handed over: a large one (10,000 agents) is still in the IPC
      // pipe when process.send returns, and exiting then loses it.
      for (const s of sockets) s.close();
      process.send({ type: 'report', latencies, deliveries }, () => process.exit(0));
    }
  });
}

// ---- role: worker (simulated agents) ---------------------------------------------------------

function runWorker() {
  const { io } = require('socket.io-client');
  let cfg;
  const agents = [];
  let running = false; // saturate mode: the send loops run
  let stopped = false; // interval mode: ticks stop
  let latencies = [];
  const totals = { sent: 0, acked: 0, refused: 0, timeouts: 0, resent: 0, disconnects: 0 };
  /** Per connection: ms until the handshake was accepted (key checked), then until auth_success (registered). */
  const connectTimes = { handshake: [], register: [] };

  function connect(key) {
    return new Promise((res, rej) => {
      const t0 = Date.now();
      let tConnect = 0;
      const socket = io(`${cfg.url}/agents`, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60000 });
      const a = { socket, bootId: randomUUID(), seq: 0, unacked: [], inFlight: 0, timer: null };
      socket.once('connect', () => { tConnect = Date.now(); connectTimes.handshake.push(tConnect - t0); });
      socket.once('connect_error', (e) => rej(new Error(`connect_error: ${e.message}`)));
      socket.on('disconnect', () => { if (running) totals.disconnects++; });
      socket.once('auth_success', () => {
        connectTimes.register.push(Date.now() - tConnect);
        socket.emit('hello', { agentVersion: 'bench', hostname: `bench-${key.slice(-6)}`, os: 'linux', arch: 'x64', bootId: a.bootId, intervalSec: cfg.saturate ? 5 : cfg.interval, capabilities: { exec: false, docker: false, terminal: false } });
        // Like a real agent, report from the moment it is connected (a silent agent is dropped as
        // stale). Frames before the measurement window count for "lost", not for the rates.
        if (!cfg.saturate) {
          const phase = Math.random() * cfg.interval * 1000;
          setTimeout(() => { tick(a); a.timer = setInterval(() => tick(a), cfg.interval * 1000); }, phase);
        }
        res(a);
      });
    });
  }

  /**
   * Like the real agent: a refused handshake other than a bad key (`unavailable`: the backend could
   * not check the key in time, e.g. its database pool was saturated by a connect storm) or a
   * connect timeout is retried after a backoff, up to 5 times; each retry is counted and reported.
   */
  let connectRetries = 0;
  async function connectRetrying(key) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect(key);
      } catch (err) {
        if (attempt >= 5 || /unauthorized/.test(err.message)) throw err;
        connectRetries++;
        await sleep(500 * attempt + Math.random() * 500);
      }
    }
  }

  function send(a, sample, isResend, done) {
    const t0 = process.hrtime.bigint();
    a.inFlight++;
    if (isResend) totals.resent++;
    a.socket.timeout(cfg.ackTimeout * 1000).emit('metrics', sample, (err, ack) => {
      a.inFlight--;
      if (err) { totals.timeouts++; a.unacked.push(sample); }
      else if (ack && ack.ok) { totals.acked++; latencies.push(Number(process.hrtime.bigint() - t0) / 1e6); }
      else totals.refused++;
      if (done) done();
    });
  }

  function tick(a) {
    if (stopped) return;
    // Like the real agent: what was not acknowledged goes out again first.
    for (const s of a.unacked.splice(0)) send(a, s, true);
    totals.sent++;
    send(a, makeSample(a.seq++, a.bootId), false);
  }

  function saturateLoop(a) {
    if (!running) return;
    const resend = a.unacked.shift();
    if (!resend) totals.sent++;
    send(a, resend ?? makeSample(a.seq++, a.bootId), !!resend, () => setImmediate(() => saturateLoop(a)));
  }

  process.on('message', async (msg) => {
    if (msg.type === 'init') {
      cfg = msg.cfg;
      try {
        const made = await pool(msg.keys, cfg.connectConcurrency, (k) => connectRetrying(k));
        agents.push(...made);
        process.send({ type: 'connected', n: agents.length, connectTimes, connectRetries });
      } catch (err) {
        process.send({ type: 'error', error: err.message });
      }
    } else if (msg.type === 'start') {
      latencies = []; // the measurement window starts now
      if (cfg.saturate) {
        running = true;
        for (const a of agents) saturateLoop(a);
      }
      process.send({ type: 'started', totals });
      setInterval(() => {
        process.send({ type: 'stats', latencies, totals });
        latencies = [];
      }, 1000).unref();
    } else if (msg.type === 'stop') {
      running = false;
      stopped = true;
      for (const a of agents) clearInterval(a.timer);
      // Settle: every sample sent is acknowledged (resending what timed out) or reported.
      const deadline = Date.now() + cfg.ackTimeout * 3000;
      while (Date.now() < deadline && agents.some((a) => a.inFlight || a.unacked.length)) {
        for (const a of agents) if (!a.inFlight) for (const s of a.unacked.splice(0)) send(a, s, true);
        await sleep(200);
      }
      const unsettled = agents.reduce((n, a) => n + a.inFlight + a.unacked.length, 0);
      for (const a of agents) a.socket.close();
      process.send({ type: 'done', latencies, totals, unsettled, bootIds: agents.map((a) => [a.bootId, a.seq]) }, () => process.exit(0));
      latencies = [];
    }
  });
}

// ---- role: bare Socket.IO server (transport baseline) ----------------------------------------

function runBareServer() {
  const { Server } = require('socket.io');
  const http = require('node:http').createServer();
  const ioServer = new Server(http, { maxHttpBufferSize: 1024 * 1024, pingInterval: 20000, pingTimeout: 20000 });
  const ns = ioServer.of('/agents');
  ns.use((socket, next) => (typeof socket.handshake.auth?.apiKey === 'string' ? next() : next(new Error('unauthorized'))));
  ns.on('connection', (socket) => {
    socket.emit('auth_success', { serverId: socket.id, serverName: 'bare' });
    socket.on('hello', () => undefined);
    socket.on('metrics', (sample, ack) => ack?.({ ok: true, seq: sample?.seq }));
    socket.on('metricsBatch', (batch, ack) => ack?.({ ok: true, stored: batch?.samples?.length ?? 0 }));
  });
  http.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: http.address().port }));
}

// ---- role: coordinator -----------------------------------------------------------------------

async function startBackend(opts, extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-'));
  chmodSync(dataDir, 0o755);
  const env = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', CHATOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json', SERVE_FRONTEND: 'false', AUTH_RATE_LIMIT: '1000/60', ...extraEnv,
  };
  const child = spawn(process.execPath, [...opts.nodeArgs.split(' ').filter(Boolean), resolve(opts.backend)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let pgPort = null;
  // Only the tail is kept (for error messages): a long run must not make this process, which
  // reads the backend's pipes, slower and slower (a full pipe blocks the backend's writes).
  const keep = (d) => { output += d; if (output.length > 65536) output = output.slice(-32768); };
  const onData = (d) => {
    keep(d);
    if (pgPort === null) {
      const m = /Embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) pgPort = Number(m[1]);
    }
    if (opts.verbose) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (d) => {
    keep(d);
    if (opts.verbose) process.stderr.write(d);
    else if (/"level":(50|60)/.test(String(d))) process.stderr.write(`[backend] ${String(d).slice(0, 400)}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited during start:\n${output.slice(-2000)}`);
    try { if ((await fetch(`${url}/health/ready`)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`backend did not become ready:\n${output.slice(-2000)}`);
    await sleep(200);
  }
  const dbUrl = env.DATABASE_URL
    ?? `postgres://chatops:${encodeURIComponent(readFileSync(join(dataDir, 'pg-password'), 'utf8').trim())}@127.0.0.1:${pgPort}/chatops`;
  return {
    url, pid: child.pid, dbUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `--instances N` (N > 1): N backend processes on one PostgreSQL (the first one's embedded cluster,
 * or DATABASE_URL) and one Redis (REDIS_URL, default the local one), with one JWT secret, as behind
 * a load balancer. Agents are spread over them; browsers sit on the last one.
 */
async function startCluster(opts, n) {
  // A private Redis (unless REDIS_URL names one): its INFO counts this run's traffic only.
  const redis = process.env.REDIS_URL ? null : await startRedis();
  const redisUrl = process.env.REDIS_URL ?? redis.url;
  const shared = { REDIS_URL: redisUrl, JWT_SECRET: process.env.JWT_SECRET ?? `bench-${randomUUID()}-${randomUUID()}` };
  const first = await startBackend(opts, shared).catch(async (err) => { await redis?.stop(); throw err; });
  const others = [];
  try {
    for (let i = 1; i < n; i++) others.push(await startBackend(opts, { ...shared, DATABASE_URL: first.dbUrl }));
  } catch (err) {
    for (const o of others) await o.stop();
    await first.stop();
    await redis?.stop();
    throw err;
  }
  const all = [first, ...others];
  return {
    url: first.url, urls: all.map((t) => t.url), pid: first.pid, pids: all.map((t) => t.pid), dbUrl: first.dbUrl, redisUrl, privateRedis: !!redis,
    stop: async () => {
      for (const o of others) await o.stop();
      await first.stop(); // last: its embedded PostgreSQL serves the others
      await redis?.stop();
    },
  };
}

/** `redis-server` on a free port, no persistence. */
async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output = (output + d).slice(-8192); });
  child.stderr.on('data', (d) => { output = (output + d).slice(-8192); });
  const spawned = await new Promise((res) => { child.once('spawn', () => res(true)); child.once('error', () => res(false)); });
  if (!spawned) throw new Error('redis-server is not installed (apt-get install redis-server), or set REDIS_URL');
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r))); } };
}

/** What Redis has done so far: calls per command and bytes in and out (INFO commandstats, INFO stats). */
async function redisCounters(url) {
  const { Redis } = require('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const text = `${await client.info('commandstats')}\n${await client.info('stats')}`;
    const calls = {};
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
    const stat = (k) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { at: Date.now(), calls, inBytes: stat('total_net_input_bytes'), outBytes: stat('total_net_output_bytes') };
  } finally {
    client.disconnect();
  }
}

/**
 * Redis traffic between two `redisCounters` readings, per agent per minute: commands by name, and
 * the bytes Redis received (what the backends write: publishes, SETs) and sent (mostly the
 * Pub/Sub fan-out to the other instances). INFO itself is excluded from the counts.
 */
function redisDelta(before, after, agents) {
  const minutes = (after.at - before.at) / 60000;
  const per = (v) => +(v / agents / minutes).toFixed(2);
  const commands = {};
  let total = 0;
  for (const [cmd, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[cmd] ?? 0);
    if (cmd === 'info' || cmd === 'client|setname' || d <= 0) continue;
    commands[cmd] = per(d);
    total += d;
  }
  return {
    seconds: +((after.at - before.at) / 1000).toFixed(1), commandsPerSec: Math.round(total / (minutes * 60)),
    commandsPerAgentMin: per(total), bytesInPerAgentMin: per(after.inBytes - before.inBytes), bytesOutPerAgentMin: per(after.outBytes - before.outBytes),
    bytesInPerSec: Math.round((after.inBytes - before.inBytes) / (minutes * 60)), bytesOutPerSec: Math.round((after.outBytes - before.outBytes) / (minutes * 60)),
    commandsPerAgentMinByName: commands,
  };
}

async function startBare() {
  const child = fork(__filename, ['--role', 'bare-server'], { stdio: 'inherit' });
  const port = await new Promise((res) => child.once('message', (m) => res(m.port)));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, dbUrl: null, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } };
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

/** One user, N servers, N keys through the REST API. */
async function provision(target, n, concurrency) {
  const id = randomUUID().slice(0, 8);
  const urls = target.urls ?? [target.url];
  const { accessToken } = await api(target.url, '/auth/register', { username: `bench_${id}`, email: `bench_${id}@example.test`, password: 'bench-password-123' });
  const creds = await pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const url = urls[i % urls.length]; // spread over the instances, as a load balancer would
    const server = await api(url, '/servers', { name: `bench-${i}` }, accessToken);
    const key = await api(url, '/api-keys', { serverId: server.id, name: 'bench' }, accessToken);
    return { serverId: server.id, key: key.key };
  });
  creds.token = accessToken;
  return creds;
}

function fmtMs(v) { return Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a'; }
function fmtMb(v) { return `${(v / 1048576).toFixed(0)} MB`; }
function fmtKb(v) { return `${(v / 1024).toFixed(1)} KB`; }
/** This process's soft limit on open files (each simulated agent holds one socket). */
function fdLimit() {
  try { return Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))[1]); } catch { return Infinity; }
}

async function runLoad(opts) {
  const instances = opts.bare ? 1 : opts.instances;
  const target = opts.bare ? await startBare() : instances > 1 ? await startCluster(opts, instances) : await startBackend(opts);
  const urls = target.urls ?? [target.url];
  const pids = target.pids ?? [target.pid];
  log(`${opts.bare ? 'bare Socket.IO server' : instances > 1 ? `${instances} backend instances (one PostgreSQL, one Redis)` : 'backend'} pid ${pids.join(', ')} at ${urls.join(', ')}`);
  let workers = [];
  try {
    const t0 = Date.now();
    const creds = opts.bare
      ? Array.from({ length: opts.agents }, () => ({ serverId: null, key: `bare-${randomUUID()}` }))
      : await provision(target, opts.agents, opts.setupConcurrency);
    log(`provisioned ${creds.length} servers + keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Before any agent connects: what the processes hold anyway (subtracted for the per-agent figure).
    const idleRss = new ClusterMeter(pids).read().rss;

    // With several instances every instance gets its own worker(s): worker i connects to instance i mod N.
    const procs = Math.min(Math.max(opts.procs, instances), opts.agents);
    const cfg = { interval: opts.interval, saturate: opts.saturate, ackTimeout: opts.ackTimeout, connectConcurrency: Math.max(1, Math.ceil(opts.connectConcurrency / procs)) };
    const perWorker0 = Math.ceil(opts.agents / procs);
    if (perWorker0 + 64 > fdLimit()) log(`WARNING: ${perWorker0} agents per worker process but only ${fdLimit()} file descriptors: raise \`ulimit -n\` or --procs`);
    workers = Array.from({ length: procs }, () => fork(__filename, ['--role', 'worker'], { stdio: 'inherit' }));
    const connectMeter = new ClusterMeter(pids);
    const workerMeter = new ClusterMeter(workers.map((w) => w.pid));
    const redisBefore = target.privateRedis ? await redisCounters(target.redisUrl) : null;
    const t1 = Date.now();
    const phases = { handshake: [], register: [] };
    let connectRetries = 0;
    await Promise.all(workers.map((w, i) => new Promise((res, rej) => {
      w.once('message', (m) => {
        if (m.type !== 'connected') return rej(new Error(m.error));
        for (const k of Object.keys(phases)) phases[k].push(...m.connectTimes[k]);
        connectRetries += m.connectRetries;
        res();
      });
      w.send({ type: 'init', cfg: { ...cfg, url: urls[i % urls.length] }, keys: creds.filter((_, j) => j % procs === i).map((c) => c.key) });
    })));
    const connectSec = (Date.now() - t1) / 1000;
    const connectCpu = connectMeter.read();
    const workerCpu = workerMeter.read();
    log(`${opts.agents} agents connected in ${connectSec.toFixed(1)} s over ${procs} worker process(es) (${Math.round(opts.agents / connectSec)}/s; ` +
      `backend CPU ${connectCpu.self.toFixed(0)}%${opts.bare ? '' : `, PostgreSQL ${connectCpu.kids.toFixed(0)}%`}, bench workers ${workerCpu.self.toFixed(0)}% of one core meanwhile)`);
    for (const k of Object.keys(phases)) phases[k].sort((x, y) => x - y);
    log(`  per connection: handshake (key check) p50 ${fmtMs(percentile(phases.handshake, 50))} / p99 ${fmtMs(percentile(phases.handshake, 99))}, ` +
      `then registration until auth_success p50 ${fmtMs(percentile(phases.register, 50))} / p99 ${fmtMs(percentile(phases.register, 99))}; ${connectRetries} handshakes retried`);
    if (redisBefore) {
      const d = redisDelta(redisBefore, await redisCounters(target.redisUrl), opts.agents);
      log(`Redis while connecting: ${((d.commandsPerAgentMin * d.seconds) / 60).toFixed(1)} commands per agent (${Object.entries(d.commandsPerAgentMinByName).map(([k, v]) => `${k} ${((v * d.seconds) / 60).toFixed(1)}`).join(', ')})`);
    }
    await sleep(1500); // let hello and the connection bookkeeping settle before measuring

    let browsers = null;
    let subscribeRetries = 0;
    if (opts.browsers > 0 && !opts.bare) {
      browsers = fork(__filename, ['--role', 'browsers'], { stdio: 'inherit' });
      await new Promise((res, rej) => {
        browsers.once('message', (m) => (m.type === 'ready' ? res((subscribeRetries = m.subscribeRetries)) : rej(new Error(m.message ?? 'browsers failed'))));
        browsers.once('exit', (code) => rej(new Error(`browsers exited ${code}`)));
        browsers.send({ type: 'init', url: urls[urls.length - 1], token: creds.token, browsers: opts.browsers, serverIds: creds.map((c) => c.serverId) });
      });
      browsers.removeAllListeners('exit');
      browsers.send({ type: 'reset' });
      log(`${opts.browsers} browsers subscribed on /live (every server watched)${instances > 1 ? ` on instance ${instances}: ${Math.round(100 * (1 - 1 / instances))}% of the agents are on other instances` : ''}; ${subscribeRetries} subscriptions answered unavailable and sent again`);
    }

    const all = [];
    const perWorker = workers.map(() => ({ sent: 0, acked: 0, refused: 0, timeouts: 0, resent: 0, disconnects: 0 }));
    let windowLat = [];
    const finals = [];
    workers.forEach((w, i) => w.on('message', (m) => {
      if (m.type === 'stats' || m.type === 'done') {
        perWorker[i] = m.totals;
        for (const l of m.latencies) { all.push(l); windowLat.push(l); }
      }
      if (m.type === 'done') finals[i] = m;
    }));
    const sum = (k) => perWorker.reduce((n, t) => n + t[k], 0);

    const meter = new ClusterMeter(pids);
    const windowMeter = new ClusterMeter(pids);
    const started = Date.now();
    let lastAcked = 0;
    let lastAt = started;
    const baseline = await Promise.all(workers.map((w) => new Promise((res) => {
      const on = (m) => { if (m.type === 'started') { w.off('message', on); res(m.totals.acked); } };
      w.on('message', on);
      w.send({ type: 'start' });
    })));
    const ackedBefore = baseline.reduce((a, b) => a + b, 0);
    lastAcked = ackedBefore;
    const redisWindowStart = target.privateRedis ? await redisCounters(target.redisUrl) : null;
    log(`running for ${opts.duration} s (${opts.saturate ? 'saturate: next frame as soon as the ack arrives' : `one frame per agent every ${opts.interval} s`})`);
    while (Date.now() - started < opts.duration * 1000) {
      await sleep(Math.min(opts.progress * 1000, started + opts.duration * 1000 - Date.now()));
      const now = Date.now();
      const acked = sum('acked');
      const sorted = windowLat.sort((a, b) => a - b);
      const cpu = windowMeter.read();
      log(`t=${((now - started) / 1000).toFixed(0).padStart(3)} s  acked ${(((acked - lastAcked) * 1000) / (now - lastAt)).toFixed(0).padStart(6)}/s  ` +
        `p50 ${fmtMs(percentile(sorted, 50))}  p99 ${fmtMs(percentile(sorted, 99))}  timeouts ${sum('timeouts')}  ` +
        `server CPU ${cpu.self.toFixed(0)}%${opts.bare ? '' : ` (+pg ${cpu.kids.toFixed(0)}%)`}  RSS ${fmtMb(cpu.rss)}`);
      windowMeter.reset();
      windowLat = [];
      lastAcked = acked;
      lastAt = now;
    }
    const cpu = meter.read();
    const elapsed = (Date.now() - started) / 1000;
    const redis = redisWindowStart ? redisDelta(redisWindowStart, await redisCounters(target.redisUrl), opts.agents) : null;
    let live = null;
    if (browsers) {
      live = await new Promise((res, rej) => {
        browsers.once('message', (m) => res(m));
        browsers.once('exit', (code) => rej(new Error(`the browsers process exited (${code}) before it reported`)));
        browsers.send({ type: 'report' });
      });
      live.latencies.sort((a, b) => a - b);
    }
    const ackedInWindow = sum('acked') - ackedBefore;
    await Promise.all(workers.map((w) => { w.send({ type: 'stop' }); return new Promise((r) => w.once('exit', r)); }));
    const sent = sum('sent');
    const acked = sum('acked');
    const unsettled = finals.reduce((n, f) => n + (f?.unsettled ?? 0), 0);
    let storedRows = null;
    if (target.dbUrl) {
      const { Client } = require('pg');
      const db = new Client({ connectionString: target.dbUrl });
      await db.connect();
      storedRows = Number((await db.query('SELECT count(*) FROM metric_samples WHERE server_id = ANY($1::uuid[])', [creds.map((c) => c.serverId)])).rows[0].count);
      await db.end();
    }
    const sorted = all.sort((a, b) => a - b);
    const result = {
      mode: opts.bare ? 'bare' : 'backend', instances, agents: opts.agents, interval: opts.saturate ? 'saturate' : opts.interval, duration: opts.duration, procs,
      framesAckedPerSec: Math.round(ackedInWindow / elapsed), ackP50Ms: +percentile(sorted, 50).toFixed(2), ackP99Ms: +percentile(sorted, 99).toFixed(2),
      ackMaxMs: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
      sent, acked, refused: sum('refused'), timeouts: sum('timeouts'), resent: sum('resent'), disconnects: sum('disconnects'), unsettled,
      storedRows, framesLost: storedRows === null ? null : sent - storedRows,
      serverCpuPct: +cpu.self.toFixed(1), postgresCpuPct: opts.bare ? null : +cpu.kids.toFixed(1), serverRssMb: +(cpu.rss / 1048576).toFixed(0), serverMaxRssMb: +(cpu.maxRss / 1048576).toFixed(0),
      idleRssMb: +(idleRss / 1048576).toFixed(0), rssKbPerAgent: +((cpu.rss - idleRss) / 1024 / opts.agents).toFixed(1),
      connectSec: +connectSec.toFixed(1), connectHandshakeP50Ms: percentile(phases.handshake, 50), connectRegisterP50Ms: percentile(phases.register, 50), connectBackendCpuPct: +connectCpu.self.toFixed(0), connectWorkerCpuPct: +workerCpu.self.toFixed(0), connectRetries, connectPostgresCpuPct: opts.bare ? null : +connectCpu.kids.toFixed(0),
      redis,
    };
    log('');
    log(`frames acknowledged/s : ${result.framesAckedPerSec}`);
    log(`ack latency p50 / p99 : ${fmtMs(result.ackP50Ms)} / ${fmtMs(result.ackP99Ms)} (max ${fmtMs(result.ackMaxMs)})`);
    log(`frames sent / acked   : ${sent} / ${acked}  (refused ${result.refused}, ack timeouts ${result.timeouts}, resent ${result.resent}, unsettled ${unsettled})`);
    log(`frames lost           : ${storedRows === null ? `n/a (bare transport: sent − acked = ${sent - acked})` : `${result.framesLost} (sent ${sent} − stored ${storedRows})`}`);
    log(`server CPU            : ${result.serverCpuPct}% of one core${opts.bare ? '' : `; embedded PostgreSQL ${result.postgresCpuPct}%`}`);
    log(`server RSS            : ${result.serverRssMb} MB (max ${result.serverMaxRssMb} MB)${instances > 1 ? ` over ${instances} instances (${cpu.perInstanceRss.map(fmtMb).join(' + ')})` : ''}; ${result.rssKbPerAgent} KB per connected agent above the ${result.idleRssMb} MB before they connected`);
    if (redis) {
      log(`Redis (measurement window, ${redis.seconds} s): ${redis.commandsPerSec} commands/s, in ${fmtKb(redis.bytesInPerSec)}/s, out ${fmtKb(redis.bytesOutPerSec)}/s`);
      log(`  per agent per minute: ${redis.commandsPerAgentMin} commands (${Object.entries(redis.commandsPerAgentMinByName).map(([k, v]) => `${k} ${v}`).join(', ')}), ` +
        `${fmtKb(redis.bytesInPerAgentMin)} in, ${fmtKb(redis.bytesOutPerAgentMin)} out`);
    } else if (instances > 1) log('Redis traffic: not measured (REDIS_URL names a shared Redis; unset it to let the bench start a private one)');
    if (live) {
      result.liveDeliveries = live.deliveries;
      result.subscribeRetries = subscribeRetries;
      result.liveP50Ms = percentile(live.latencies, 50);
      result.liveP99Ms = percentile(live.latencies, 99);
      log(`live, agent send → browser receive: p50 ${fmtMs(result.liveP50Ms)} / p99 ${fmtMs(result.liveP99Ms)} over ${live.deliveries} deliveries to ${opts.browsers} browsers`);
    }
    log(`RESULT ${JSON.stringify(result)}`);
    return result;
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill();
    if (!opts.keep) await target.stop();
  }
}

/** Stores `opts.storage` realistic samples through metricsBatch and reports bytes per sample. */
async function runStorage(opts) {
  const { io } = require('socket.io-client');
  const target = await startBackend(opts);
  try {
    const servers = 20;
    const creds = await provision(target, servers, 8);
    const perServer = Math.ceil(opts.storage / servers);
    const t0 = Date.now();
    await pool(creds, 4, async ({ key }) => {
      const socket = io(`${target.url}/agents`, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise((r, j) => { socket.once('auth_success', r); socket.once('connect_error', j); });
      const bootId = randomUUID();
      const base = Date.now() - perServer * 5000;
      // 250 samples (~300 KB) per batch: a frame must stay under the 1 MB frame limit.
      for (let seq = 0; seq < perServer; seq += 250) {
        const samples = [];
        for (let s = seq; s < Math.min(perServer, seq + 250); s++) samples.push({ ...makeSample(s, bootId), timestamp: new Date(base + s * 5000).toISOString() });
        const ack = await socket.timeout(60000).emitWithAck('metricsBatch', { samples });
        if (!ack.ok) throw new Error(JSON.stringify(ack));
      }
      socket.close();
    });
    const { Client } = require('pg');
    const db = new Client({ connectionString: target.dbUrl });
    await db.connect();
    await db.query('VACUUM ANALYZE metric_samples');
    const r = (await db.query(`SELECT count(*)::int AS n, pg_total_relation_size('metric_samples') AS total,
      pg_relation_size('metric_samples') AS heap, pg_indexes_size('metric_samples') AS idx FROM metric_samples`)).rows[0];
    await db.end();
    log(`stored ${r.n} samples in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    log(`metric_samples: total ${fmtMb(r.total)} (heap ${fmtMb(r.heap)}, indexes ${fmtMb(r.idx)})`);
    log(`bytes per stored sample incl. indexes: ${(r.total / r.n).toFixed(1)} (heap ${(r.heap / r.n).toFixed(1)}, indexes ${(r.idx / r.n).toFixed(1)})`);
    log(`RESULT ${JSON.stringify({ mode: 'storage', samples: r.n, totalBytes: Number(r.total), bytesPerSample: +(r.total / r.n).toFixed(1), heapPerSample: +(r.heap / r.n).toFixed(1), indexPerSample: +(r.idx / r.n).toFixed(1) })}`);
  } finally {
    await target.stop();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.role === 'worker') return runWorker();
  if (opts.role === 'bare-server') return runBareServer();
  if (opts.role === 'browsers') return runBrowsers();
  if (opts.storage > 0) return runStorage(opts);
  if (opts.instances > 1 && !opts.bare && !opts.skipSingle) {
    // The single-instance figures beside the N-instance ones, in the same run on the same machine.
    const one = await runLoad({ ...opts, instances: 1 });
    const many = await runLoad(opts);
    const row = (r) => `${String(r.instances).padStart(9)} | ${String(r.framesAckedPerSec).padStart(8)} | ${fmtMs(r.ackP99Ms).padStart(9)} | ${fmtMs(r.liveP99Ms).padStart(9)} | ${String(r.framesLost).padStart(4)} | ${String(r.rssKbPerAgent).padStart(8)} | ${`${r.connectSec} s`.padStart(9)}`;
    log('');
    log('instances | frames/s | p99 ack   | p99 live  | lost | KB/agent | connected');
    log(row(one));
    log(row(many));
    log(`COMPARE ${JSON.stringify({ single: one, multi: many })}`);
    process.exit(0);
  }
  await runLoad(opts);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err.stack || err}\n`);
  process.exit(1);
});
