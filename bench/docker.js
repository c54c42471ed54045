#!/usr/bin/env node
'use strict';
/**
 * Docker benchmark: a real backend (its own embedded PostgreSQL), a real agent process and a real
 * Docker Engine API (podman's compatible service, as in e2e/support/podman.ts), clients on loopback.
 *
 *   npm run bench:docker -- [--runs 500] [--rate 10000] [--seconds 15]
 *
 * Prints, side by side in one run:
 *   1. `GET /containers/{id}/json` made directly on the engine socket, `--runs` times (the floor),
 *   2. `GET /api/v1/docker/{serverId}/containers/{id}` through backend → agent → engine, the same
 *      number of times, interleaved with (1): the difference is what the system adds (target: p50
 *      overhead < 10 ms),
 *   3. follow-logs throughput: a container printing about `--rate` lines a second, followed over
 *      `/live` for `--seconds`: lines/s reaching the client, lines the agent dropped (and said so),
 *      and the agent's and backend's RSS before, at the peak during and after it (bounded memory).
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { request, Agent } = require('node:http');
const Module = require('node:module');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');

const ROOT = resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = { runs: 500, rate: 10000, seconds: 15, warmup: 30 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'help') { console.log(readFileSync(__filename, 'utf8').split('\n').slice(2, 17).join('\n')); process.exit(0); }
    if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
    opts[key] = Number(argv[++i]);
    if (!(opts[key] >= 0)) throw new Error(`--${key} must be a number ≥ 0`);
  }
  return opts;
}

const log = (msg) => process.stdout.write(`[bench] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms) => `${ms.toFixed(2)} ms`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const line = (label, x) => log(`${label.padEnd(34)} p50 ${fmt(x.p50)}  p90 ${fmt(x.p90)}  p99 ${fmt(x.p99)}  max ${fmt(x.max)}  (n=${x.n})`);
const rssOf = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
};

/** e2e/support/podman.ts, transpiled in memory: one podman recipe for the tests and the benchmark. */
function loadPodmanSupport() {
  const ts = require('typescript');
  const file = join(ROOT, 'e2e/support/podman.ts');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(join(ROOT, 'e2e/support'));
  m._compile(outputText, file);
  return m.exports;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

function launch(args, env, name) {
  let out = '';
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
  proc.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  const exited = new Promise((r) => proc.on('exit', r));
  return { proc, name, output: () => out, stop: async () => { if (proc.exitCode === null) proc.kill('SIGTERM'); await exited; } };
}

/** A keep-alive GET on the engine's unix socket, as a Docker client would make it. */
function engineGet(socketPath, agent, path) {
  return new Promise((res, rej) => {
    const req = request({ socketPath, path, agent, headers: { Host: 'docker' } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => (r.statusCode === 200 ? res(JSON.parse(Buffer.concat(chunks).toString())) : rej(new Error(`engine ${path}: ${r.statusCode}`))));
    });
    req.on('error', rej);
    req.end();
  });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  for (const f of ['dist/backend/main.js', 'dist/agent/cli.js']) {
    try { readFileSync(join(ROOT, f)); } catch { throw new Error(`${f} is missing: run "npm run build" first`); }
  }
  const { startPodman, BUSYBOX_IMAGE } = loadPodmanSupport();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-docker-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _ignored, ...env } = process.env;
  process.env = env;
  const children = [];
  let podman = null;
  const cleanup = async () => {
    for (const c of children.reverse()) await c.stop();
    await podman?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    log('starting podman\'s Docker-compatible API (private storage, local busybox image)');
    podman = await startPodman();
    await podman.cli(['run', '-d', '--name', 'target', '--network', 'none', '-e', 'SECRET=x', BUSYBOX_IMAGE, 'sleep', '3600']);
    // Batches of rate/10 lines, then 0.1 s of sleep: about `rate` lines a second (a little less:
    // printing the batch takes time too; the figure below counts what it really printed).
    const batch = Math.max(1, Math.round(o.rate / 10));
    await podman.cli(['create', '--name', 'flood', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c',
      `i=0; while :; do j=0; while [ $j -lt ${batch} ]; do echo "flood $i"; i=$((i+1)); j=$((j+1)); done; sleep 0.1; done`]);

    log(`starting the backend on :${port} (embedded PostgreSQL in ${dataDir})`);
    const backend = launch([join(ROOT, 'dist/backend/main.js')], {
      CHATOPS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', SERVE_FRONTEND: 'false',
      AUTH_RATE_LIMIT: '1000/60',
    }, 'backend');
    children.push(backend);
    for (const deadline = Date.now() + 60_000; !backend.output().includes('ChatOps is running');) {
      if (Date.now() > deadline || backend.proc.exitCode !== null) throw new Error(`backend did not start:\n${backend.output()}`);
      await sleep(100);
    }

    let token = '';
    const api = async (method, path, body) => {
      const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const json = res.status === 204 ? null : await res.json();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    token = (await api('POST', '/auth/register', { email: 'bench@example.test', username: 'bench', password: 'correct horse battery' })).accessToken;

    log('starting an agent on the engine socket');
    const server = await api('POST', '/servers', { name: 'bench-docker' });
    const key = await api('POST', '/api-keys', { serverId: server.id });
    const agent = launch([join(ROOT, 'dist/agent/cli.js'), '--url', base, '--state-dir', join(dataDir, 'agent'), '--docker-socket', podman.socket],
      { CHATOPS_API_KEY: key.key, CHATOPS_LOG_LEVEL: 'warn' }, 'agent');
    children.push(agent);
    for (const deadline = Date.now() + 60_000; ;) {
      const s = await api('GET', `/servers/${server.id}`);
      if (s.status === 'online' && s.agent?.capabilities?.docker) break;
      if (Date.now() > deadline) throw new Error(`the agent did not come online with Docker:\n${agent.output()}`);
      await sleep(200);
    }
    const rssIdle = { agent: rssOf(agent.proc.pid), backend: rssOf(backend.proc.pid) };

    // 1 + 2. Inspect, interleaved: direct on the engine socket, then through the system.
    log(`1-2/3 inspect ${o.runs} times directly on the engine socket and through REST, interleaved`);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const direct = [];
    const rest = [];
    for (let i = 0; i < o.warmup; i++) {
      await engineGet(podman.socket, keepAlive, '/containers/target/json');
      await api('GET', `/docker/${server.id}/containers/target`);
    }
    for (let i = 0; i < o.runs; i++) {
      let t0 = performance.now();
      await engineGet(podman.socket, keepAlive, '/containers/target/json');
      direct.push(performance.now() - t0);
      t0 = performance.now();
      const r = await api('GET', `/docker/${server.id}/containers/target`);
      rest.push(performance.now() - t0);
      if (r.name !== 'target' || r.envRedacted !== true) throw new Error(`unexpected inspect: ${JSON.stringify(r).slice(0, 200)}`);
      if ((i + 1) % 100 === 0) log(`   ${i + 1}/${o.runs}`);
    }
    keepAlive.destroy();
    const rssAfterInspect = { agent: rssOf(agent.proc.pid), backend: rssOf(backend.proc.pid) };

    // 3. Follow-logs throughput over /live.
    log(`3/3 following a container printing ~${o.rate} lines/s for ${o.seconds} s over /live`);
    const live = io(`${base}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise((res, rej) => { live.once('connect', res); live.once('connect_error', rej); });
    let received = 0;
    let dropped = 0;
    let chunks = 0;
    let highest = -1;
    let ended = null;
    live.on('container_logs', ({ lines }) => {
      chunks++;
      for (const l of lines) {
        const notice = /^\[chatops: (\d+) lines dropped\]$/.exec(l.text);
        if (notice) { dropped += Number(notice[1]); continue; }
        received++;
        const n = Number(l.text.slice(6));
        if (n > highest) highest = n;
      }
    });
    live.on('container_logs_end', (p) => { ended = p; });
    await podman.cli(['start', 'flood']);
    await sleep(1000);
    const ack = await live.timeout(10_000).emitWithAck('container_logs_subscribe', { serverId: server.id, containerId: 'flood', tail: 0 });
    if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    // Warm-up second, then the measured window.
    await sleep(1000);
    const rssBefore = { agent: rssOf(agent.proc.pid), backend: rssOf(backend.proc.pid) };
    const peak = { ...rssBefore };
    const start = { received, dropped, chunks, highest, at: performance.now() };
    const cpu0 = { agent: cpuOf(agent.proc.pid), backend: cpuOf(backend.proc.pid) };
    for (let s = 0; s < o.seconds * 4; s++) {
      await sleep(250);
      peak.agent = Math.max(peak.agent, rssOf(agent.proc.pid));
      peak.backend = Math.max(peak.backend, rssOf(backend.proc.pid));
      if ((s + 1) % 20 === 0) log(`   ${(s + 1) / 4} s: ${received - start.received} lines received, ${dropped - start.dropped} dropped`);
    }
    const secs = (performance.now() - start.at) / 1000;
    const window = {
      seconds: secs,
      printed: highest - start.highest,
      received: received - start.received,
      dropped: dropped - start.dropped,
      chunks: chunks - start.chunks,
      cpuSec: { agent: (cpuOf(agent.proc.pid) - cpu0.agent) / secs, backend: (cpuOf(backend.proc.pid) - cpu0.backend) / secs },
    };
    await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId: ack.streamId });
    await podman.cli(['stop', '--time', '0', 'flood']);
    live.close();
    await sleep(3000);
    const rssAfter = { agent: rssOf(agent.proc.pid), backend: rssOf(backend.proc.pid) };
    if (ended) log(`(the stream ended early: ${JSON.stringify(ended)})`);

    const d = summary(direct);
    const r = summary(rest);
    const rate = window.received / window.seconds;
    const printedRate = window.printed / window.seconds;
    log('');
    line('inspect direct on the engine socket', d);
    line('inspect REST → agent → engine', r);
    log(`${'overhead (REST − direct)'.padEnd(34)} p50 ${fmt(r.p50 - d.p50)}  p99 ${fmt(r.p99 - d.p99)}   (target: p50 < 10 ms)`);
    log(`${'follow-logs printed by container'.padEnd(34)} ${printedRate.toFixed(0)} lines/s`);
    log(`${'follow-logs reaching /live'.padEnd(34)} ${rate.toFixed(0)} lines/s in ${(window.chunks / window.seconds).toFixed(1)} chunks/s; ${window.dropped} dropped and reported (${((window.dropped / Math.max(1, window.printed)) * 100).toFixed(1)} %)`);
    log(`${'CPU while following'.padEnd(34)} agent ${(window.cpuSec.agent * 100).toFixed(0)} %  backend ${(window.cpuSec.backend * 100).toFixed(0)} % of one core`);
    log(`${'agent RSS'.padEnd(34)} idle ${mb(rssIdle.agent)}, after inspects ${mb(rssAfterInspect.agent)}, before follow ${mb(rssBefore.agent)}, peak ${mb(peak.agent)}, after ${mb(rssAfter.agent)}`);
    log(`${'backend RSS'.padEnd(34)} idle ${mb(rssIdle.backend)}, after inspects ${mb(rssAfterInspect.backend)}, before follow ${mb(rssBefore.backend)}, peak ${mb(peak.backend)}, after ${mb(rssAfter.backend)}`);
    console.log(`RESULT ${JSON.stringify({
      inspect: { direct: d, rest: r, overhead: { p50: r.p50 - d.p50, p99: r.p99 - d.p99 } },
      follow: { ...window, printedPerSec: printedRate, receivedPerSec: rate },
      rss: { idle: rssIdle, afterInspect: rssAfterInspect, beforeFollow: rssBefore, peak, after: rssAfter },
    })}`);
  } finally {
    await cleanup();
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}

main().catch((err) => { console.error(`[bench] ${err.stack ?? err}`); process.exit(1); });
