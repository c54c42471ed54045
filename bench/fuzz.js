#!/usr/bin/env node
'use strict';
/**
 * The long mode of the fuzz suites (backend/test/fuzz-rest.e2e-spec.ts, fuzz-sockets.e2e-spec.ts):
 * the same generators and checks as in `npm test`, for longer and with a seed of your choosing.
 *
 *   npm run bench:fuzz -- [--seconds 600] [--seed 1234] [--runs N] [--only rest|sockets]
 *
 * --seconds is the time per suite (CI runs 35 s of REST and 20 s of socket fuzzing); --seed
 * replays a failure (each failure message prints its FUZZ_SEED); --runs caps the runs per
 * operation. Needs what the tests need (an embedded PostgreSQL is started by Jest's global setup).
 */
const { spawnSync } = require('node:child_process');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const o = { seconds: 600, seed: undefined, runs: undefined, only: undefined };
const a = process.argv.slice(2);
for (let i = 0; i < a.length; i++) {
  const k = a[i].replace(/^--/, '');
  if (!(k in o)) {
    console.error(`unknown option ${a[i]}`);
    process.exit(2);
  }
  o[k] = a[++i];
}
const files = { rest: 'backend/test/fuzz-rest.e2e-spec.ts', sockets: 'backend/test/fuzz-sockets.e2e-spec.ts' };
const selected = o.only ? [files[o.only]] : Object.values(files);
if (selected.includes(undefined)) {
  console.error('--only takes rest or sockets');
  process.exit(2);
}
const env = { ...process.env, FUZZ_SECONDS: String(o.seconds) };
if (o.seed !== undefined) env.FUZZ_SEED = String(o.seed);
if (o.runs !== undefined) env.FUZZ_RUNS = String(o.runs);
process.stdout.write(`[bench:fuzz] ${selected.join(', ')}: ${o.seconds} s each${o.seed !== undefined ? `, seed ${o.seed}` : ''}\n`);
const res = spawnSync(process.execPath, [
  join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects', 'backend', '--runInBand', '--verbose', ...selected,
], { cwd: ROOT, stdio: 'inherit', env });
process.exit(res.status ?? 1);
