#!/usr/bin/env node
'use strict';
/**
 * Remote-command and terminal benchmark: a real backend (its own embedded PostgreSQL), real agent
 * processes with exec and the terminal on, and REST / `/live` clients on loopback.
 *
 *   npm run bench:commands -- [--runs 1000] [--agents 10] [--concurrent 50] [--keys 300]
 *
 * Prints, side by side in one run:
 *   1. `/bin/sh -c true` spawned directly by this process, `--runs` times in a row (the floor),
 *   2. `POST /api/v1/commands/{id} {command:"true"}` through backend → agent → shell, `--runs`
 *      times in a row: the difference to (1) is what the system adds,
 *   3. `--concurrent` commands at once spread over `--agents` agents,
 *   4. terminal keystroke echo: a key sent on `/live` until its echo comes back from the PTY.
 */
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');
const { ROOT, parseArgs, log, sleep, fmt, summary, line, launch, requireBuilt, startBackend, signUp, untilServer } = require('./support');

async function main() {
  const o = parseArgs(process.argv.slice(2), { runs: 1000, agents: 10, concurrent: 50, keys: 300, warmup: 50 }, { file: __filename, help: [2, 15] });
  requireBuilt(['dist/backend/main.js', 'dist/agent/cli.js']);
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-cmd-'));
  const children = [];
  const cleanup = async () => { for (const c of children.reverse()) await c.stop(); rmSync(dataDir, { recursive: true, force: true }); };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    const { base, backend } = await startBackend(dataDir);
    children.push(backend);
    const { api, token } = await signUp(base);

    log(`starting ${o.agents} agents with --enable-exec --enable-terminal`);
    const servers = [];
    for (let i = 0; i < o.agents; i++) {
      const server = await api('POST', '/servers', { name: `bench-${i}` });
      const key = await api('POST', '/api-keys', { serverId: server.id });
      const stateDir = join(dataDir, `agent-${i}`);
      children.push(launch([join(ROOT, 'dist/agent/cli.js'), '--url', base, '--state-dir', stateDir, '--enable-exec', '--enable-terminal'],
        { CHATOPS_API_KEY: key.key, CHATOPS_LOG_LEVEL: 'warn' }, `agent-${i}`));
      servers.push(server.id);
    }
    for (const id of servers) await untilServer(api, id, (s) => s.status === 'online' && s.agent?.capabilities?.exec, `agent of ${id} online`);

    // 1. The floor: the same shell spawned directly, in this process.
    log(`1/4 spawning /bin/sh -c true directly ${o.runs} times`);
    for (let i = 0; i < o.warmup; i++) spawnSync('/bin/sh', ['-c', 'true']);
    const direct = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      await new Promise((r) => spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' }).on('exit', r));
      direct.push(performance.now() - t0);
    }

    // 2. Through the system, sequentially.
    log(`2/4 POST /commands {command:"true"} ${o.runs} times in a row`);
    for (let i = 0; i < o.warmup; i++) await api('POST', `/commands/${servers[0]}`, { command: 'true' });
    const rest = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      const r = await api('POST', `/commands/${servers[0]}`, { command: 'true' });
      rest.push(performance.now() - t0);
      if (r.status !== 'completed') throw new Error(`unexpected status ${r.status}`);
      if ((i + 1) % 200 === 0) log(`   ${i + 1}/${o.runs}`);
    }

    // 3. Concurrency across agents.
    log(`3/4 ${o.concurrent} commands at once over ${o.agents} agents (5 rounds)`);
    const concurrent = [];
    const walls = [];
    for (let round = 0; round < 5; round++) {
      const w0 = performance.now();
      await Promise.all(Array.from({ length: o.concurrent }, async (_, i) => {
        const t0 = performance.now();
        const r = await api('POST', `/commands/${servers[i % servers.length]}`, { command: 'true' });
        concurrent.push(performance.now() - t0);
        if (r.status !== 'completed') throw new Error(`unexpected status ${r.status}`);
      }));
      walls.push(performance.now() - w0);
    }

    // 4. Terminal keystroke echo.
    log(`4/4 terminal keystroke echo, ${o.keys} keys`);
    const live = io(`${base}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise((res, rej) => { live.once('connect', res); live.once('connect_error', rej); });
    const ack = await live.timeout(10_000).emitWithAck('terminal_open', { serverId: servers[0], cols: 1000, rows: 50 });
    if (!ack.ok) throw new Error(`terminal refused: ${JSON.stringify(ack)}`);
    let screen = '';
    let waiter = null;
    live.on('terminal_output', ({ data }) => { screen += data; if (waiter && screen.includes(waiter.want)) { const w = waiter; waiter = null; w.done(); } });
    const typeAndWait = (data, want) => new Promise((done) => { waiter = { want, done }; live.emit('terminal_input', { sessionId: ack.sessionId, data }); });
    await typeAndWait('export PS1="READY> "\r', 'READY> ');
    await sleep(300);
    const echo = [];
    for (let i = 0; i < o.keys; i++) {
      const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
      screen = '';
      const t0 = performance.now();
      await typeAndWait(ch, ch);
      echo.push(performance.now() - t0);
    }
    live.emit('terminal_close', { sessionId: ack.sessionId });
    live.close();

    const d = summary(direct);
    const r = summary(rest);
    const c = summary(concurrent);
    const e = summary(echo);
    log('');
    line('direct spawn /bin/sh -c true', d);
    line('REST → agent → sh (sequential)', r);
    log(`${'overhead (REST − direct)'.padEnd(34)} p50 ${fmt(r.p50 - d.p50)}  p99 ${fmt(r.p99 - d.p99)}   (targets: p50 < 10 ms, p99 < 25 ms)`);
    line(`${o.concurrent} concurrent over ${o.agents} agents`, c);
    log(`${'  wall time per round of ' + o.concurrent}`.padEnd(34) + ` ${walls.map((w) => w.toFixed(0)).join(', ')} ms`);
    line('terminal keystroke echo', e);
    log(`${''.padEnd(34)} (target: p99 < 30 ms)`);
    console.log(`RESULT ${JSON.stringify({ direct: d, rest: r, overhead: { p50: r.p50 - d.p50, p99: r.p99 - d.p99 }, concurrent: { ...c, walls }, echo: e })}`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => { console.error(`[bench] ${err.stack ?? err}`); process.exit(1); });
