'use strict';
/**
 * What the end-to-end benchmarks share (commands.js, docker.js, chatops.js): options, figures,
 * child processes, a real backend on its own embedded PostgreSQL, and a REST client for it.
 */
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');

/**
 * `--name value` options over `defaults` (numbers only); `--help` prints the lines `help` of the
 * calling file's header comment and exits.
 */
function parseArgs(argv, defaults, { file, help: [from, to], min = 0 }) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'help') { console.log(readFileSync(file, 'utf8').split('\n').slice(from, to).join('\n')); process.exit(0); }
    if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
    opts[key] = Number(argv[++i]);
    if (!(opts[key] >= min)) throw new Error(`--${key} must be a number ≥ ${min}`);
  }
  return opts;
}

const log = (msg) => process.stdout.write(`[bench] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length, p50: pct(s, 50), p90: pct(s, 90), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** One figure line: `label  p50 …  p90 …  p99 …  max …  (n=…)`; `cols` picks the percentiles. */
function line(label, x, { width = 34, cols = ['p50', 'p90', 'p99'] } = {}) {
  log(`${label.padEnd(width)} ${cols.map((c) => `${c} ${fmt(x[c])}`).join('  ')}  max ${fmt(x.max)}  (n=${x.n})`);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/** A Node child with the last 20 kB of its output kept for error messages. */
function launch(args, env, name) {
  let out = '';
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
  proc.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  const exited = new Promise((r) => proc.on('exit', r));
  return { proc, name, output: () => out, stop: async () => { if (proc.exitCode === null) proc.kill('SIGTERM'); await exited; } };
}

function requireBuilt(files) {
  for (const f of files) {
    try { readFileSync(join(ROOT, f)); } catch { throw new Error(`${f} is missing: run "npm run build" first`); }
  }
}

/**
 * Starts dist/backend/main.js on a free loopback port with its own embedded PostgreSQL in
 * `dataDir` (an inherited DATABASE_URL is dropped) and waits until it serves.
 */
async function startBackend(dataDir, env = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  delete process.env.DATABASE_URL;
  log(`starting the backend on :${port} (embedded PostgreSQL in ${dataDir})`);
  const backend = launch([join(ROOT, 'dist/backend/main.js')], {
    CHATOPS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', SERVE_FRONTEND: 'false',
    AUTH_RATE_LIMIT: '1000/60', ...env,
  }, 'backend');
  for (const deadline = Date.now() + 60_000; !backend.output().includes('ChatOps is running');) {
    if (Date.now() > deadline || backend.proc.exitCode !== null) {
      await backend.stop();
      throw new Error(`backend did not start:\n${backend.output()}`);
    }
    await sleep(100);
  }
  return { base, backend };
}

/**
 * A REST client signed in as a newly registered user: `call` answers `{json, bytes}`, `api` the
 * JSON; any status ≥ 300 throws with the body.
 */
async function signUp(base) {
  let token = '';
  const call = async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return { json: text ? JSON.parse(text) : null, bytes: text.length };
  };
  const api = async (method, path, body) => (await call(method, path, body)).json;
  token = (await api('POST', '/auth/register', { email: 'bench@example.test', username: 'bench', password: 'correct horse battery' })).accessToken;
  return { call, api, token };
}

/** Polls `GET /servers/{id}` until `ready(server)` holds. */
async function untilServer(api, id, ready, what) {
  for (const deadline = Date.now() + 60_000; ;) {
    if (ready(await api('GET', `/servers/${id}`))) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within 60 s`);
    await sleep(200);
  }
}

module.exports = { ROOT, parseArgs, log, sleep, pct, fmt, summary, line, freePort, launch, requireBuilt, startBackend, signUp, untilServer };
