#!/usr/bin/env node
'use strict';
// Usage: node bench/read-buffers.js [--clients 1000] [--rate 2000] [--duration 40] [--live-mb 500] [--copy] [--node-args "--v8-flag …"]
//
// A standalone reproduction, without any ChatOps code, of what starts the backend's major GCs under
// 10,000 agents (docs/performance.md, eighth session): a Socket.IO server receives `--rate` frames a
// second of ~1.25 KB from `--clients` socket.io-client connections and acknowledges each after
// 15 ms, while holding `--live-mb` of long-lived objects (the backend holds ~250 MB at 10,000
// agents). It prints the array-buffer memory (process.memoryUsage().arrayBuffers) and GCs every
// second, and at the end how much array-buffer memory each frame left behind until the next major
// GC. `--copy` makes ws's receiver copy each TCP read into a buffer it owns and reuses first (the
// experiment in docs/performance.md). Compare `--live-mb 0` with `--live-mb 500`.
const { fork } = require('node:child_process');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { createServer } = require('node:http');
const { createRequire } = require('node:module');

const opts = { clients: 1000, rate: 2000, duration: 40, liveMb: 500, copy: false, nodeArgs: '', role: 'main', port: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(key in opts)) { console.error(`unknown option ${argv[i]}`); process.exit(2); }
  if (typeof opts[key] === 'boolean') opts[key] = true;
  else opts[key] = typeof opts[key] === 'number' ? Number(argv[++i]) : argv[++i];
}
const FRAME = { seq: 0, timestamp: new Date().toISOString(), cpu: { percent: 12.5, perCore: Array(8).fill(12.5), load: [0.5, 0.4, 0.3] }, pad: 'x'.repeat(1000) };

if (opts.role === 'server') server();
else if (opts.role === 'client') client();
else main();

function server() {
  if (opts.copy) {
    // The experiment: each read is copied into the receiver's own buffer, reused while no frame is pending.
    const { Receiver } = createRequire(require.resolve('engine.io'))('ws');
    const write = Receiver.prototype._write;
    Receiver.prototype._write = function (chunk, encoding, cb) {
      let own = this.ownBuffer;
      if (!own || own.length < chunk.length || this._buffers.length || this._fragments.length) own = this.ownBuffer = Buffer.allocUnsafeSlow(Math.max(chunk.length, 2048));
      chunk.copy(own);
      return write.call(this, own.subarray(0, chunk.length), encoding, cb);
    };
  }
  // Long-lived objects, ~100 bytes each: what makes the old generation large.
  globalThis.live = Array.from({ length: Math.round((opts.liveMb * 1048576) / 100) }, (_, i) => ({ i, name: `object-${i}`, tags: [i] }));
  const { Server } = require('socket.io');
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 1e6 });
  let frames = 0, minors = 0, majors = 0;
  io.on('connection', (socket) => socket.on('metrics', (frame, ack) => {
    frames++;
    setTimeout(() => ack({ ok: true, seq: frame.seq }), 15);
  }));
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) { majors++; process.send({ major: true, ms: e.duration, ab: process.memoryUsage().arrayBuffers, frames }); } else minors++;
    }
  }).observe({ entryTypes: ['gc'] });
  http.listen(0, '127.0.0.1', () => {
    process.send({ port: http.address().port });
    setInterval(() => { const m = process.memoryUsage(); process.send({ ab: m.arrayBuffers, heap: m.heapUsed, frames, minors, majors }); }, 1000);
  });
}

function client() {
  const { io } = require('socket.io-client');
  const perClientMs = (opts.clients / opts.rate) * 1000;
  let connected = 0;
  for (let i = 0; i < opts.clients; i++) {
    const s = io(`http://127.0.0.1:${opts.port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.on('connect', () => {
      if (++connected === opts.clients) process.send({ connected });
      setTimeout(() => setInterval(() => { FRAME.seq++; s.emit('metrics', FRAME, () => {}); }, perClientMs), Math.random() * perClientMs);
    });
  }
}

async function main() {
  const mb = (n) => (n / 1048576).toFixed(1);
  const nodeArgs = opts.nodeArgs.split(' ').filter(Boolean);
  console.error(`[read-buffers] server with ${opts.liveMb} MB of long-lived objects${opts.copy ? ', reads copied into a reused buffer' : ''}${nodeArgs.length ? `, node ${nodeArgs.join(' ')}` : ''}; ${opts.clients} clients, ${opts.rate} frames/s, ${opts.duration} s`);
  const srv = fork(__filename, ['--role', 'server', '--live-mb', String(opts.liveMb), ...(opts.copy ? ['--copy'] : [])], { execArgv: ['--max-old-space-size=4096', ...nodeArgs] });
  const port = await new Promise((r) => srv.on('message', (m) => m.port && r(m.port)));
  const cli = fork(__filename, ['--role', 'client', '--port', String(port), '--clients', String(opts.clients), '--rate', String(opts.rate)]);
  await new Promise((r) => cli.on('message', (m) => m.connected && r()));
  console.error(`[read-buffers] ${opts.clients} clients connected; measuring`);
  const start = Date.now();
  // Each stretch between major GCs: its samples. Growth is measured on the lowest value of the
  // first and of the last three samples, so the ups and downs of minor GCs do not count.
  const stretches = [[]];
  let last = null;
  srv.on('message', (m) => {
    if (m.major) {
      console.error(`[read-buffers]   major GC (${m.ms.toFixed(0)} ms), array buffers ${mb(m.ab)} MB`);
      stretches.push([]);
      return;
    }
    if (m.ab === undefined) return;
    last = m;
    stretches[stretches.length - 1].push(m);
    console.error(`[read-buffers] t=${String(Math.round((Date.now() - start) / 1000)).padStart(3)} s  frames ${m.frames}  array buffers ${mb(m.ab)} MB  heap ${mb(m.heap)} MB  minor GCs ${m.minors}  major ${m.majors}`);
  });
  await new Promise((r) => setTimeout(r, opts.duration * 1000));
  let ab = 0, frames = 0;
  for (const s of stretches.filter((x) => x.length >= 6)) {
    const low = (xs) => xs.reduce((a, b) => (b.ab < a.ab ? b : a));
    const a = low(s.slice(0, 3)), b = low(s.slice(-3));
    ab += b.ab - a.ab;
    frames += b.frames - a.frames;
  }
  console.log(`array-buffer growth between major GCs: ${frames ? (ab / frames).toFixed(0) : 'n/a'} bytes per frame (${mb(ab)} MB over ${frames} frames); major GCs: ${last?.majors ?? 0}, minor: ${last?.minors ?? 0}`);
  console.log(`RESULT ${JSON.stringify({ liveMb: opts.liveMb, copy: opts.copy, nodeArgs: opts.nodeArgs, frames, abBytesPerFrame: frames ? Math.round(ab / frames) : null, majors: last?.majors, minors: last?.minors })}`);
  cli.kill(); srv.kill();
}
