// Usage: node bench/pg-cpu.js [seconds=200]
// Samples CPU of every postgres process every 250 ms for N seconds; prints per-5s-window top consumers by title.
const fs = require('fs');
const secs = Number(process.argv[2] || 200);
const ticks = new Map();
let win = new Map(); let t0 = Date.now(); let w = 0;
function scan() {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd; try { cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { continue; }
    if (!cmd.startsWith('postgres')) continue;
    let st; try { st = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    const cpu = Number(f[11]) + Number(f[12]); const nice = Number(f[16]);
    const prev = ticks.get(d); ticks.set(d, cpu);
    if (prev === undefined) continue;
    const delta = cpu - prev; if (!delta) continue;
    const key = `${cmd.replace(/\d+\.\d+\.\d+\.\d+\(\d+\)/, '').slice(0, 70)} ni=${nice}`;
    win.set(key, (win.get(key) || 0) + delta);
  }
  if (Date.now() - t0 >= 5000) {
    w += 5; const top = [...win].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${v}% ${k}`.replace(/^(\d+)%/, (m, n) => `${(n / 5).toFixed(0)}%`));
    console.log(`[${new Date().toISOString().slice(11, 19)}] ${top.join(' | ')}`);
    win = new Map(); t0 = Date.now();
  }
}
const timer = setInterval(scan, 250);
setTimeout(() => { clearInterval(timer); process.exit(0); }, secs * 1000);
