#!/usr/bin/env node
'use strict';
/**
 * ChatOps benchmark: parse + authorise + reply through REST, with a real backend (its own embedded
 * PostgreSQL) and simulated agents on loopback that sent one sample each (so every server has a
 * newest sample and is online).
 *
 *   npm run bench:chatops -- [--servers 1000] [--runs 300] [--warmup 30] [--setup-concurrency 16]
 *
 * Prints, in one run:
 *   1. `POST /api/v1/chatops/messages {text:"status"}` over the whole fleet, `--runs` times in a
 *      row (target: p95 < 50 ms),
 *   2. `status <one server by name>`, the same number of times,
 *   3. `GET /api/v1/chatops/complete?text=top%20bench-1`, the same number of times,
 *   4. `GET /api/v1/servers` (the plain REST list of the same fleet) and `GET /api/v1/auth/me` (an
 *      authenticated request doing almost nothing): floors to compare with on the same machine.
 *   5. The Slack door: a signed slash command `status` over the fleet (answered inline) and the
 *      acknowledgement of `run bench-1 -- uptime` (answered at once, the rest going to a local
 *      response_url receiver) (target: acknowledgement p99 < 300 ms; Slack waits 3 s).
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { createHmac, randomUUID } = require('node:crypto');
const { createServer: createHttpServer } = require('node:http');
const { io } = require('socket.io-client');
const { parseArgs, log, summary, line: figureLine, requireBuilt, startBackend, signUp } = require('./support');

const line = (label, x) => figureLine(label, x, { width: 40, cols: ['p50', 'p95', 'p99'] });

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

function sample(i, bootId) {
  const cpu = (i * 37) % 100;
  return {
    seq: 1, bootId, timestamp: new Date().toISOString(),
    cpu: { percent: cpu, perCore: [cpu, cpu], load: [0.5, 0.4, 0.3], cores: 2 },
    memory: { totalBytes: 8e9, usedBytes: 2e9, availableBytes: 6e9, percent: 25, swapTotalBytes: 1e9, swapUsedBytes: 1e8 },
    disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 4e10, percent: 40 }],
    network: [{ iface: 'eth0', rxBytes: 1e6, txBytes: 2e6, rxBps: 1000, txBps: 2000 }],
    uptimeSec: 1234,
    containers: [{ id: 'a'.repeat(64), name: 'api', image: 'api:1', state: 'running', status: 'Up 2 hours' }],
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2), { servers: 1000, runs: 300, warmup: 30, 'setup-concurrency': 16 }, { file: __filename, help: [2, 18], min: 1 });
  requireBuilt(['dist/backend/main.js']);
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-chat-'));
  const sockets = [];
  let backend = null;
  // Slack's response_url, played by a local receiver that answers 200 to everything.
  const hooks = createHttpServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise((r) => hooks.listen(0, '127.0.0.1', r));
  const hookBase = `http://127.0.0.1:${hooks.address().port}/`;
  const slackSecret = 'bench-slack-signing-secret';
  const cleanup = async () => {
    hooks.close();
    for (const s of sockets) s.close();
    if (backend) await backend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    // The chat rate limit (30 a minute per account by default) is what a person needs, not a load generator.
    const started = await startBackend(dataDir, {
      SLACK_SIGNING_SECRET: slackSecret, SLACK_RESPONSE_URL_PREFIX: hookBase, NOTIFY_ALLOW_PRIVATE: 'true',
      CHAT_RATE_LIMIT: '1000000/60', CHAT_INTEGRATION_RATE_LIMIT: '1000000/60',
    });
    backend = started.backend;
    const { base } = started;
    const { call, api } = await signUp(base);

    log(`creating ${o.servers} servers and keys, each with a simulated agent that sends one sample`);
    const t0 = performance.now();
    await pool(Array.from({ length: o.servers }, (_, i) => i), o['setup-concurrency'], async (i) => {
      const server = await api('POST', '/servers', { name: `bench-${i}`, metadata: { tags: i % 2 ? ['odd'] : ['even'] } });
      const key = await api('POST', '/api-keys', { serverId: server.id });
      const socket = io(`${base}/agents`, { auth: { apiKey: key.key }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
      sockets.push(socket);
      await new Promise((res, rej) => { socket.once('auth_success', res); socket.once('connect_error', rej); });
      const bootId = randomUUID();
      socket.emit('hello', { agentVersion: '0.1.0-bench', hostname: `bench-${i}`, os: 'linux', arch: 'x64', bootId, intervalSec: 5, capabilities: { exec: false, docker: false, terminal: false } });
      const ack = await socket.timeout(30_000).emitWithAck('metrics', sample(i, bootId));
      if (!ack.ok) throw new Error(`sample refused: ${JSON.stringify(ack)}`);
    });
    log(`   set up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const measure = async (label, fn) => {
      for (let i = 0; i < o.warmup; i++) await fn();
      const times = [];
      let bytes = 0;
      for (let i = 0; i < o.runs; i++) {
        const t = performance.now();
        bytes = await fn();
        times.push(performance.now() - t);
      }
      log(`   ${label}: done`);
      return { ...summary(times), bytes };
    };
    const say = async (text) => {
      const r = await call('POST', '/chatops/messages', { text });
      if (r.json.reply.error) throw new Error(`${text}: ${JSON.stringify(r.json.reply.error)}`);
      return r.bytes;
    };

    /** A signed Slack slash command from one linked Slack user. */
    const slash = async (text) => {
      const body = new URLSearchParams({ team_id: 'TBENCH', user_id: 'UBENCH', user_name: 'bench', command: '/chatops', text, response_url: `${hookBase}r/${randomUUID()}` }).toString();
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${createHmac('sha256', slackSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
      const res = await fetch(`${base}/api/v1/chatops/slack/commands`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature }, body });
      const out = await res.text();
      if (res.status !== 200) throw new Error(`slash ${text}: ${res.status} ${out}`);
      return out;
    };
    const linkToken = /token=([A-Za-z0-9_-]+)/.exec(await slash('link'))[1];
    await api('POST', '/chatops/links/confirm', { token: linkToken });

    log(`measuring, ${o.runs} runs each after ${o.warmup} warm-up runs`);
    const fleet = await measure('status (fleet)', () => say('status'));
    const one = await measure('status <server>', () => say(`status bench-${Math.floor(o.servers / 2)}`));
    const tag = await measure('status <tag>', () => say('status odd'));
    const complete = await measure('complete', async () => (await call('GET', '/chatops/complete?text=top%20bench-1')).bytes);
    const list = await measure('GET /servers', async () => (await call('GET', '/servers')).bytes);
    const me = await measure('GET /auth/me', async () => (await call('GET', '/auth/me')).bytes);
    const slackStatus = await measure('slack status', async () => (await slash('status')).length);
    const slackAck = await measure('slack run (ack)', async () => {
      const out = await slash('run bench-1 -- uptime');
      if (!out.includes('Working')) throw new Error(`expected an acknowledgement: ${out.slice(0, 300)}`);
      return out.length;
    });

    log('');
    line(`status over ${o.servers} servers`, fleet);
    log(`${''.padEnd(40)} reply ${fleet.bytes} bytes   (target: p95 < 50 ms)`);
    line('status <one server by name>', one);
    line(`status <tag> (${Math.floor(o.servers / 2)} servers)`, tag);
    line('complete "top bench-1"', complete);
    line(`GET /servers (${o.servers}, the REST floor)`, list);
    log(`${''.padEnd(40)} response ${list.bytes} bytes`);
    line('GET /auth/me (an authenticated no-op)', me);
    line(`Slack /chatops status (${o.servers}, inline)`, slackStatus);
    line('Slack /chatops run: acknowledgement', slackAck);
    log(`${''.padEnd(40)} (target: p99 < 300 ms; Slack waits 3 s)`);
    console.log(`RESULT ${JSON.stringify({ servers: o.servers, statusFleet: fleet, statusOne: one, statusTag: tag, complete, serversList: list, authMe: me, slackStatus, slackAck })}`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => { console.error(`[bench] ${err.stack ?? err}`); process.exit(1); });
