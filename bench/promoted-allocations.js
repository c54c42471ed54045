// Usage: node bench/promoted-allocations.js <inspect port> [seconds=20] [include minor-GC garbage: true|false]
// Start the backend with --inspect=<port> (bench:ingest: --node-args "--inspect=<port>").
// Samples allocations of objects that survive minor GCs (promoted), via CDP.
const WebSocket = require('ws');
const port = process.argv[2], secs = Number(process.argv[3] || 20);
(async () => {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  await new Promise((r) => ws.once('open', r));
  let id = 0; const pending = new Map();
  ws.on('message', (m) => { const msg = JSON.parse(m); if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); } });
  const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
  console.log(JSON.stringify(await send('HeapProfiler.enable')));
  console.log(JSON.stringify(await send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.argv[4] === 'true' })));
  await new Promise((r) => setTimeout(r, secs * 1000));
  const res = await send('HeapProfiler.stopSampling');
  if (!res.result) { console.log(JSON.stringify(res)); process.exit(1); }
  const { head } = res.result.profile;
  const self = new Map(); const stacks = new Map();
  let total = 0;
  (function walk(n, path) {
    const f = n.callFrame; const here = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, 'nm/').replace(/.*dist\/backend\//, 'be/')}:${f.lineNumber + 1}`;
    const p = [...path, here];
    if (n.selfSize) { total += n.selfSize; self.set(here, (self.get(here) || 0) + n.selfSize); const k = p.slice(-6).join(' < '); stacks.set(k, (stacks.get(k) || 0) + n.selfSize); }
    for (const c of n.children) walk(c, p);
  })(head, []);
  console.log(`total sampled ${(total / 1e6).toFixed(1)} MB over ${secs}s`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / 1e6).toFixed(2).padStart(8)} MB  ${k}`);
  console.log('--- stacks');
  for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1e6).toFixed(2).padStart(8)} MB  ${k.split(' < ').reverse().join(' < ')}`);
  process.exit(0);
})();
