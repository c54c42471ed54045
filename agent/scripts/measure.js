#!/usr/bin/env node
/**
 * Measures the agent's cost on this machine. Build first:
 *   npx tsc -p libs/protocol/tsconfig.json && npx tsc -p agent/tsconfig.build.json
 * then: node agent/scripts/measure.js [--duration 40] [--interval 1] [--warmup 5] [--window 0] [--copies 1]
 *
 * 1. In-process: HostCollector.collect() + schema validation, many ticks back to back
 *    (CPU per tick from process.cpuUsage; process-scan ticks reported separately).
 * 2. The real CLI (dist/agent/cli.js) as children, streaming to an in-process Socket.IO /agents
 *    server that acks like the backend: steady-state CPU per tick (every thread's schedstat, ns
 *    resolution, everything included: timers, socket, buffer, JSON) and RSS (VmRSS, VmHWM).
 *    AGENT_DIST=dirA,dirB (copies of builds, with NODE_PATH=<repo>/node_modules) and --copies N
 *    run several builds side by side in the same minutes: the way to compare changes on a VM
 *    whose load varies.
 */
const { spawn } = require('node:child_process');
const { readFileSync, readdirSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:http');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const REPO = resolve(__dirname, '../..');
// AGENT_DIST: measure another build of the agent (e.g. a copy of an older dist/agent; run with NODE_PATH=<repo>/node_modules).
const DISTS = process.env.AGENT_DIST ? process.env.AGENT_DIST.split(',').map((d) => resolve(d)) : [join(REPO, 'dist/agent')];
const DIST = DISTS[0];
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '40' },
    interval: { type: 'string', default: '1' },
    // Seconds before the steady state is counted: startup work (module loading, the first
    // Mark-Compacts of V8's memory reducer) lasts well beyond the first ticks; use ≥ 30 for figures.
    warmup: { type: 'string', default: '5' },
    // Also report CPU per tick for consecutive windows of this many seconds, and their median.
    window: { type: 'string', default: '0' },
    // Skip the in-process collector benchmark.
    'child-only': { type: 'boolean', default: false },
    // Copies of each build run side by side (their spread is the noise floor).
    copies: { type: 'string', default: '1' },
  },
});
const durationSec = Number(values.duration);
const intervalSec = Number(values.interval);
const warmupSec = Number(values.warmup);
const windowSec = Number(values.window);
const copies = Math.max(1, Number(values.copies) || 1);

function memOfPid(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0) / 1024;
  return { rssMb: kb('VmRSS'), hwmMb: kb('VmHWM') };
}
const pct = (arr, p) => [...arr].sort((a, b) => a - b)[Math.min(arr.length - 1, Math.floor((arr.length * p) / 100))];

async function inProcess() {
  const { HostCollector } = require(join(DIST, 'collectors/host-collector.js'));
  const { metricsSampleSchema } = require('@chatops/protocol');
  const c = new HostCollector({ procRoot: '/proc', hostRoot: '/' });
  for (let i = 0; i < 12; i++) await c.collect(); // warm up (JIT, passwd cache)
  const plain = [];
  const withProcs = [];
  for (let i = 0; i < 600; i++) {
    const t0 = process.cpuUsage();
    const s = await c.collect();
    metricsSampleSchema.parse({ seq: i, bootId: 'b', ...s });
    JSON.stringify(s);
    const d = process.cpuUsage(t0);
    (s.processes ? withProcs : plain).push((d.user + d.system) / 1000);
  }
  const all = plain.concat(withProcs);
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(`in-process collect+validate: mean ${mean(all).toFixed(3)} ms CPU/tick ` +
    `(plain ticks mean ${mean(plain).toFixed(3)} p99 ${pct(plain, 99).toFixed(3)} ms; ` +
    `process-scan ticks (1 in 6) mean ${mean(withProcs).toFixed(3)} ms)`);
}

/** CPU time (ns) of every live thread of `pid`, from /proc/<pid>/task/<tid>/schedstat (ns resolution). */
function cpuNsOfPid(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // thread exited meanwhile
    }
  }
  return ns;
}

/**
 * The real CLI as children streaming to one in-process Socket.IO server that acks like the backend.
 * Builds: dist/agent, or AGENT_DIST=a,b,… (copies of other builds; NODE_PATH=<repo>/node_modules);
 * --copies N of each, started together, so builds are compared in the same minutes.
 */
async function childProcess() {
  const { Server } = require('socket.io');
  const http = createServer();
  const io = new Server(http);
  const acked = new Map();
  io.of('/agents').use((s, next) => next(String(s.handshake.auth?.apiKey ?? '').startsWith('cok_measure_') ? undefined : new Error('unauthorized')));
  io.of('/agents').on('connection', (s) => {
    const key = s.handshake.auth.apiKey;
    s.emit('auth_success', { serverId: key, serverName: key });
    s.on('metrics', (_m, ack) => { acked.set(key, (acked.get(key) ?? 0) + 1); ack({ ok: true, seq: _m.seq }); });
    s.on('metricsBatch', (b, ack) => { acked.set(key, (acked.get(key) ?? 0) + b.samples.length); ack({ ok: true, stored: b.samples.length }); });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const nodeFlags = (process.env.AGENT_NODE_FLAGS || '').split(' ').filter(Boolean);
  // Interleaved (A#1, B#1, A#2, B#2, …): each build's copies sit at different tick phases.
  const builds = Array.from({ length: copies }, (_, i) => DISTS.map((dist) => ({ dist, copy: i + 1 }))).flat();
  // Copies start interval/N apart and keep that phase, so their ticks never run together: a tick
  // right after another agent's finds the CPU caches warm (shared node and kernel code), which
  // made whichever copies happened to tick second look cheaper.
  const children = [];
  for (const [i, b] of builds.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, (intervalSec * 1000) / builds.length));
    children.push(startChild(b, i));
  }
  function startChild(b, i) {
    const key = `cok_measure_${i}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'agent-measure-'));
    const child = spawn(process.execPath, [...nodeFlags, join(b.dist, 'cli.js'), '--url', `http://127.0.0.1:${http.address().port}`,
      '--api-key', key, '--interval', String(intervalSec), '--state-dir', stateDir, '--log-level', 'warn'], { stdio: 'inherit' });
    return { ...b, key, stateDir, child, label: `${DISTS.length > 1 ? b.dist : 'agent'}#${b.copy}`, rss: [], windows: [] };
  }
  const snap = (c) => ({ at: Date.now(), ns: cpuNsOfPid(c.child.pid), acked: acked.get(c.key) ?? 0 });
  const warmupEnd = Date.now() + warmupSec * 1000;
  while (Date.now() < warmupEnd) {
    process.stderr.write(`\rwarming up: ${Math.ceil((warmupEnd - Date.now()) / 1000)} s left   `);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const c of children) c.win = c.start = snap(c);
  const end = Date.now() + (durationSec - warmupSec) * 1000;
  while (Date.now() < end) {
    process.stderr.write(`\rmeasuring: ${Math.ceil((end - Date.now()) / 1000)} s left   `);
    for (const c of children) c.rss.push(memOfPid(c.child.pid).rssMb);
    await new Promise((r) => setTimeout(r, 1000));
    for (const c of children) {
      if (windowSec > 0 && Date.now() - c.win.at >= windowSec * 1000) {
        const now = snap(c);
        c.windows.push((now.ns - c.win.ns) / 1e6 / Math.max(1, now.acked - c.win.acked));
        c.win = now;
      }
    }
  }
  process.stderr.write('\r');
  const results = children.map((c) => {
    const last = snap(c);
    const ticks = last.acked - c.start.acked;
    return { c, ticks, ms: (last.ns - c.start.ns) / 1e6 / ticks, hwm: memOfPid(c.child.pid).hwmMb };
  });
  for (const c of children) c.child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.child.exitCode !== null ? r() : c.child.on('exit', r)))));
  io.close();
  for (const c of children) rmSync(c.stateDir, { recursive: true, force: true });
  for (const { c, ticks, ms, hwm } of results) {
    console.log(`${c.label}: ${ms.toFixed(3)} ms CPU per tick (ns resolution, all threads), ` +
      `${ticks} samples acked in ${durationSec - warmupSec} s at ${intervalSec} s; RSS median ${pct(c.rss, 50).toFixed(1)} MB, max ${Math.max(...c.rss).toFixed(1)} MB, peak (VmHWM) ${hwm.toFixed(1)} MB` +
      (c.windows.length ? `; ${windowSec} s windows: ${c.windows.map((w) => w.toFixed(2)).join(' ')} (median ${pct(c.windows, 50).toFixed(2)})` : ''));
  }
  for (const dist of DISTS) {
    const mine = results.filter((r) => r.c.dist === dist).map((r) => r.ms);
    if (DISTS.length > 1 || copies > 1) console.log(`${dist}: mean ${(mine.reduce((a, b) => a + b, 0) / mine.length).toFixed(3)} ms per tick over ${mine.length} cop${mine.length === 1 ? 'y' : 'ies'}`);
  }
}

/** Same accounting for a bare Node process that only runs a timer: the floor on this machine. */
async function bareNode() {
  const child = spawn(process.execPath, ['-e', `setInterval(() => {}, ${intervalSec * 1000})`], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, Math.min(warmupSec, 5) * 1000));
  const cpu0 = cpuNsOfPid(child.pid) / 1e6;
  await new Promise((r) => setTimeout(r, (durationSec - warmupSec) * 1000));
  const cpu1 = cpuNsOfPid(child.pid) / 1e6;
  const mem = memOfPid(child.pid);
  child.kill();
  console.log(`bare node (timer only, same window): ${((cpu1 - cpu0) / ((durationSec - warmupSec) / intervalSec)).toFixed(3)} ms CPU per interval, RSS ${mem.rssMb.toFixed(1)} MB`);
}

(async () => {
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (cores: ${require('node:os').cpus().length})`);
  if (!values['child-only']) await inProcess();
  await Promise.all([childProcess(), bareNode()]);
})().catch((e) => { console.error(e); process.exit(1); });
