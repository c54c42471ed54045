#!/usr/bin/env node
/**
 * Builds the parts of the repository: `node scripts/build.js [--if-stale] [target...]`.
 * Targets: protocol, backend, agent, frontend (default: all, in that order).
 * --if-stale skips a target whose sources are older than its last successful build,
 * so `npm start` only builds what is not built yet.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const TARGETS = {
  protocol: { sources: ['libs/protocol/src', 'libs/protocol/tsconfig.json'], output: 'libs/protocol/dist/index.js', cmd: [bin('tsc'), '-p', 'libs/protocol/tsconfig.json'] },
  backend: { sources: ['backend/src', 'backend/tsconfig.build.json', 'nest-cli.json', 'libs/protocol/src'], output: 'dist/backend/main.js', cmd: [bin('nest'), 'build'] },
  agent: { sources: ['agent/src', 'agent/tsconfig.build.json', 'libs/protocol/src'], output: 'dist/agent/cli.js', cmd: [bin('tsc'), '-p', 'agent/tsconfig.build.json'] },
  frontend: {
    sources: ['frontend/src', 'angular.json', 'frontend/tsconfig.app.json', 'libs/protocol/src', 'scripts/precompress.js'], output: 'dist/frontend/browser/index.html', cmd: [bin('ng'), 'build', 'frontend'],
    // Brotli and gzip variants beside each asset, served as they are (see scripts/precompress.js).
    after: () => spawnSync(process.execPath, [join(__dirname, 'precompress.js')], { cwd: root, stdio: 'inherit' }).status,
  },
};

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const wanted = args.filter((a) => !a.startsWith('--'));
const order = Object.keys(TARGETS).filter((t) => !wanted.length || wanted.includes(t));
for (const w of wanted) if (!TARGETS[w]) { console.error(`unknown build target "${w}"`); process.exit(2); }

function newestMtime(path) {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const stampDir = join(root, 'dist', '.stamps');
for (const name of order) {
  const t = TARGETS[name];
  const stamp = join(stampDir, name);
  if (ifStale && existsSync(join(root, t.output)) && existsSync(stamp)) {
    const built = statSync(stamp).mtimeMs;
    if (t.sources.every((s) => newestMtime(s) <= built)) continue;
  }
  const started = Date.now();
  process.stdout.write(`[build] ${name}…\n`);
  const res = spawnSync(t.cmd[0], t.cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  const status = res.status === 0 && t.after ? t.after() : res.status;
  if (status !== 0) {
    console.error(`[build] ${name} failed`);
    process.exit(status ?? 1);
  }
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  process.stdout.write(`[build] ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
