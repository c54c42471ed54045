#!/usr/bin/env node
/**
 * Measures the agent's cost on this machine. Build first:
 *   npx tsc -p libs/protocol/tsconfig.json && npx tsc -p agent/tsconfig.build.json
 * then: node agent/scripts/measure.js [--duration 40] [--interval 1] [--warmup 5] [--window 0]
 *
 * 1. In-process: HostCollector.collect() + schema validation, many ticks back to back
 *    (CPU per tick from process.cpuUsage; process-scan ticks reported separately).
 * 2. The real CLI (dist/agent/cli.js) as a child, streaming to an in-process Socket.IO /agents server
 *    that acks like the backend: steady-state CPU per tick (utime+stime from /proc/<pid>/stat,
 *    everything included: timers, socket, buffer, JSON) and RSS (VmRSS, VmHWM).
 */
const { spawn } = require('node:child_process');
const { readFileSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:http');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const REPO = resolve(__dirname, '../..');
// AGENT_DIST: measure another build of the agent (e.g. a copy of an older dist/agent; run with NODE_PATH=<repo>/node_modules).
const DIST = process.env.AGENT_DIST ? resolve(process.env.AGENT_DIST) : join(REPO, 'dist/agent');
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
  },
});
const durationSec = Number(values.duration);
const intervalSec = Number(values.interval);
const warmupSec = Number(values.warmup);
const windowSec = Number(values.window);

function cpuMsOfPid(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) / 100) * 1000; // utime+stime in ms (USER_HZ 100)
}
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

async function childProcess() {
  const { Server } = require('socket.io');
  const http = createServer();
  const io = new Server(http);
  let acked = 0;
  io.of('/agents').use((s, next) => next(s.handshake.auth?.apiKey === 'cok_measure' ? undefined : new Error('unauthorized')));
  io.of('/agents').on('connection', (s) => {
    s.emit('auth_success', { serverId: 'measure', serverName: 'measure' });
    s.on('metrics', (_m, ack) => { acked++; ack({ ok: true, seq: _m.seq }); });
    s.on('metricsBatch', (b, ack) => { acked += b.samples.length; ack({ ok: true, stored: b.samples.length }); });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const stateDir = mkdtempSync(join(tmpdir(), 'agent-measure-'));
  const nodeFlags = (process.env.AGENT_NODE_FLAGS || '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, join(DIST, 'cli.js'), '--url', `http://127.0.0.1:${http.address().port}`,
    '--api-key', 'cok_measure', '--interval', String(intervalSec), '--state-dir', stateDir, '--log-level', 'warn'], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, warmupSec * 1000));
  const cpu0 = cpuMsOfPid(child.pid);
  const acked0 = acked;
  const rss = [];
  const windows = [];
  let win = { at: Date.now(), cpu: cpu0, acked: acked0 };
  const end = Date.now() + (durationSec - warmupSec) * 1000;
  while (Date.now() < end) {
    rss.push(memOfPid(child.pid).rssMb);
    await new Promise((r) => setTimeout(r, 1000));
    if (windowSec > 0 && Date.now() - win.at >= windowSec * 1000) {
      const now = { at: Date.now(), cpu: cpuMsOfPid(child.pid), acked };
      windows.push((now.cpu - win.cpu) / Math.max(1, now.acked - win.acked));
      win = now;
    }
  }
  const cpu1 = cpuMsOfPid(child.pid);
  const mem = memOfPid(child.pid);
  const ticks = acked - acked0;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  io.close();
  rmSync(stateDir, { recursive: true, force: true });
  if (windows.length) {
    console.log(`real agent process, ${windowSec} s windows: ${windows.map((w) => w.toFixed(2)).join(' ')} ms CPU per tick; median ${pct(windows, 50).toFixed(2)}`);
  }
  console.log(`real agent process (${durationSec - warmupSec} s steady state, interval ${intervalSec} s, ${ticks} samples acked): ` +
    `${((cpu1 - cpu0) / ticks).toFixed(2)} ms CPU per tick (all overhead included, 10 ms clock resolution), ` +
    `RSS median ${pct(rss, 50).toFixed(1)} MB, max ${Math.max(...rss).toFixed(1)} MB, peak (VmHWM) ${mem.hwmMb.toFixed(1)} MB`);
}

/** Same accounting for a bare Node process that only runs a timer: the floor on this machine. */
async function bareNode() {
  const child = spawn(process.execPath, ['-e', `setInterval(() => {}, ${intervalSec * 1000})`], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, Math.min(warmupSec, 5) * 1000));
  const cpu0 = cpuMsOfPid(child.pid);
  await new Promise((r) => setTimeout(r, (durationSec - warmupSec) * 1000));
  const cpu1 = cpuMsOfPid(child.pid);
  const mem = memOfPid(child.pid);
  child.kill();
  console.log(`bare node (timer only, same window): ${((cpu1 - cpu0) / ((durationSec - warmupSec) / intervalSec)).toFixed(2)} ms CPU per interval, RSS ${mem.rssMb.toFixed(1)} MB`);
}

(async () => {
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (cores: ${require('node:os').cpus().length})`);
  if (!values['child-only']) await inProcess();
  await Promise.all([childProcess(), bareNode()]);
})().catch((e) => { console.error(e); process.exit(1); });
