#!/usr/bin/env node
'use strict';
/**
 * History benchmark: loads months of metrics for a fleet, then measures history request latency
 * through the real backend (HTTP, auth, tier selection, SQL) and the storage each tier costs.
 *
 *   npm run bench:history -- [--servers 100] [--days 30] [--raw-days 7] [--requests 100] [--keep]
 *
 * What is loaded (as a real installation would hold it after `--days` days with the default
 * retention): raw 5-second samples for the last `--raw-days` days, and for the whole range the
 * 1-minute and 1-hour rollups produced by the real rollup job (the minutes older than the raw
 * retention are generated as rollup rows directly, since their raw samples would be gone).
 * Uses DATABASE_URL if set, else a throwaway embedded PostgreSQL.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const log = (m) => process.stdout.write(`[bench:history] ${m}\n`);

function args() {
  const o = { servers: 100, days: 30, rawDays: 7, requests: 100, keep: false };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const k = a[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (k === 'keep') o.keep = true;
    else if (k in o) o[k] = Number(a[++i]);
    else throw new Error(`unknown option ${a[i]}`);
  }
  return o;
}

const freePort = () => new Promise((res, rej) => {
  const s = createServer();
  s.on('error', rej);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmtBytes = (b) => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

async function timed(label, fn) {
  const t0 = Date.now();
  const ticker = setInterval(() => log(`  … ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`), 15_000);
  try { return await fn(); } finally { clearInterval(ticker); log(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`); }
}

async function main() {
  const o = args();
  const { Client } = require('pg');
  const { createDataSource } = require(join(ROOT, 'dist/backend/database/data-source.js'));
  const { startThrowawayPostgres } = require(join(ROOT, 'dist/backend/database/embedded-postgres.js'));

  let pg = null;
  let dir = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'chatops-bench-history-'));
    pg = await startThrowawayPostgres(dir);
    const admin = new Client({ connectionString: pg.adminUrl('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    url = pg.adminUrl('bench');
    log(`embedded PostgreSQL on port ${pg.port}`);
  }
  const ds = createDataSource(url);
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();

  const db = new Client({ connectionString: url });
  await db.connect();
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const rawFrom = new Date(now.getTime() - o.rawDays * 86_400_000);
  const from = new Date(now.getTime() - o.days * 86_400_000);
  const rawRows = o.servers * o.rawDays * 17_280;
  log(`loading ${o.servers} servers × ${o.days} days: ${rawRows.toLocaleString()} raw 5-s samples (last ${o.rawDays} days), ` +
      `${(o.servers * o.days * 1440).toLocaleString()} 1-minute and ${(o.servers * o.days * 24).toLocaleString()} 1-hour rollups`);

  await db.query(`INSERT INTO users (email, username, password_hash, role) VALUES ('bench@example.test', 'bench', 'x', 'admin') ON CONFLICT DO NOTHING`);
  const owner = (await db.query(`SELECT id FROM users WHERE username = 'bench'`)).rows[0].id;
  const servers = (await db.query(
    `INSERT INTO servers (owner_id, name) SELECT $1, 'bench-' || g FROM generate_series(1, $2) g RETURNING id`, [owner, o.servers],
  )).rows.map((r) => r.id);
  const boots = (await db.query(
    `INSERT INTO agent_boots (server_id, boot_id) SELECT id, 'bench' FROM unnest($1::uuid[]) id RETURNING id, server_id`, [servers],
  )).rows;

  // Raw samples, one server per statement (interleaved in time like a live fleet would be: each
  // statement covers all servers for one day).
  await timed('raw samples', async () => {
    for (let d = 0; d < o.rawDays; d++) {
      const dayFrom = new Date(rawFrom.getTime() + d * 86_400_000);
      const dayTo = new Date(dayFrom.getTime() + 86_400_000);
      await db.query(
        `INSERT INTO metric_samples (server_id, boot_ref, seq, ts, cpu, mem, swap, disk, load1, net_rx, net_tx)
         SELECT b.server_id, b.id, (extract(epoch FROM g))::bigint, g,
                (20 + 15 * sin(extract(epoch FROM g) / 900 + b.id))::real, (50 + 10 * sin(extract(epoch FROM g) / 7200))::real,
                NULL, 61.5, (1 + sin(extract(epoch FROM g) / 600))::real, (1e5 + 5e4 * sin(extract(epoch FROM g) / 300))::real, 2e4
         FROM generate_series($1::timestamptz, $2::timestamptz - interval '5 seconds', interval '5 seconds') g
         CROSS JOIN unnest($3::int[], $4::uuid[]) AS b(id, server_id)`,
        [dayFrom, dayTo, boots.map((b) => b.id), boots.map((b) => b.server_id)],
      );
      log(`  raw day ${d + 1}/${o.rawDays}`);
    }
  });
  // Older minutes (their raw samples are past retention): rollup rows generated directly.
  await timed('older 1-minute rollups', () => db.query(
    `INSERT INTO metric_rollup_1m (server_id, bucket, samples, cpu_avg, cpu_max, cpu_min, mem_avg, mem_max, swap_avg, swap_n,
                                   disk_avg, disk_max, disk_n, load1_avg, load1_max, rx_avg, rx_max, rx_n, tx_avg, tx_max, tx_n)
     SELECT s, g, 12, 20 + 15 * sin(extract(epoch FROM g) / 900), 40, 5, 50, 60, NULL, 0, 61.5, 61.5, 12, 1, 2, 1e5, 1.5e5, 12, 2e4, 2e4, 12
     FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') g
     CROSS JOIN unnest($3::uuid[]) s`,
    [from, rawFrom, servers],
  ));
  await db.query(`INSERT INTO rollup_watermarks (tier, watermark) VALUES ('1m', $1), ('1h', $2)
                  ON CONFLICT (tier) DO UPDATE SET watermark = EXCLUDED.watermark`, [rawFrom, from]);
  await db.query('VACUUM ANALYZE');

  // The real rollup job (through the backend) rolls the raw days into minutes and everything into hours.
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-bench-data-'));
  const backend = spawn(process.execPath, [join(ROOT, 'dist/backend/main.js')], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', CHATOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ROLLUP_INTERVAL_SEC: '1', SERVE_FRONTEND: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  backend.stdout.on('data', (d) => (out += d));
  const stop = async () => { if (backend.exitCode === null) { backend.kill('SIGTERM'); await new Promise((r) => backend.on('exit', r)); } };
  try {
    while (!out.includes('ChatOps is running')) {
      if (backend.exitCode !== null) throw new Error(`backend exited:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await timed('rollup job catch-up (raw → 1m, 1m → 1h)', async () => {
      const target = new Date(now.getTime() - 2 * 3_600_000);
      for (;;) {
        const wm = (await db.query(`SELECT tier, watermark FROM rollup_watermarks`)).rows;
        if (wm.length === 2 && wm.every((r) => r.watermark >= target)) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    await db.query('VACUUM ANALYZE');

    const base = `http://127.0.0.1:${port}`;
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'reader@example.test', username: 'reader', password: 'bench password' }),
    }).then((r) => r.json());
    // the reader must see the servers: make it their owner
    await db.query('UPDATE servers SET owner_id = $1', [reg.user.id]);
    const auth = { Authorization: `Bearer ${reg.accessToken}` };

    const ranges = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
    const results = [];
    for (const [label, span] of Object.entries(ranges)) {
      if (span > o.days * 86_400_000) continue;
      const times = [];
      let source = '';
      let points = 0;
      for (let i = 0; i < o.requests + 10; i++) {
        const sid = servers[i % servers.length];
        const end = new Date();
        const url2 = `${base}/api/v1/metrics/${sid}/history?start=${new Date(end.getTime() - span).toISOString()}&end=${end.toISOString()}&points=300`;
        const t0 = process.hrtime.bigint();
        const res = await fetch(url2, { headers: auth });
        const body = await res.json();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!res.ok) throw new Error(`history ${label}: ${res.status} ${JSON.stringify(body)}`);
        if (i >= 10) times.push(ms); // the first requests warm caches and connections
        source = body.source;
        points = body.points.filter((p) => p.cpuPercent !== null).length;
      }
      times.sort((a, b) => a - b);
      results.push({ range: label, tier: source, filled: points, p50: pct(times, 50), p95: pct(times, 95), max: times[times.length - 1] });
      log(`  ${label}: p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms (${source}, ${points} buckets with data)`);
    }

    const size = async (t) => Number((await db.query(`SELECT pg_total_relation_size($1) AS b`, [t])).rows[0].b);
    const rows = async (t) => Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    const storage = [];
    for (const [table, days] of [['metric_samples', o.rawDays], ['metric_rollup_1m', o.days], ['metric_rollup_1h', o.days]]) {
      const bytes = await size(table);
      const n = await rows(table);
      storage.push({ table, rows: n, bytes, perRow: bytes / n, perServerDay: bytes / (o.servers * days) });
    }

    console.log('\nHistory request latency (HTTP, 300 points, %d requests per range, %d servers):', o.requests, o.servers);
    console.log('| range | tier | p50 ms | p95 ms | max ms |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of results) console.log(`| ${r.range} | ${r.tier} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`);
    console.log('\nStorage (table + indexes):');
    console.log('| tier | rows | total | bytes/row | per server per day |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const s of storage) console.log(`| ${s.table} | ${s.rows.toLocaleString()} | ${fmtBytes(s.bytes)} | ${s.perRow.toFixed(0)} | ${fmtBytes(s.perServerDay)} |`);
    const failing = results.filter((r) => r.p95 >= 20);
    console.log(failing.length ? `\nTarget p95 < 20 ms missed for: ${failing.map((r) => r.range).join(', ')}` : '\nTarget p95 < 20 ms met for every range');
  } finally {
    await stop();
    await db.end();
    rmSync(dataDir, { recursive: true, force: true });
    if (pg && !o.keep) { await pg.stop(); rmSync(dir, { recursive: true, force: true }); }
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
