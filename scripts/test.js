#!/usr/bin/env node
/**
 * `npm test`: makes sure what the tests need is there (system packages, builds), runs every Jest
 * project (backend, agent, frontend, e2e), and ends with one plain summary line:
 * "tests: N passed, N failed, N skipped".
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
const step = (msg) => process.stdout.write(`\n[test] ${msg}\n`);

step('checking system packages');
if (run('bash', [join(__dirname, 'ensure-system-deps.sh')]).status !== 0) process.exit(1);

step('building (only what changed)');
if (run(process.execPath, [join(__dirname, 'build.js'), '--if-stale']).status !== 0) process.exit(1);

step('running jest (all projects)');
const outDir = mkdtempSync(join(tmpdir(), 'chatops-jest-'));
const resultFile = join(outDir, 'results.json');
const extra = process.argv.slice(2);
const jest = run(process.execPath, [
  join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
  '--ci', '--maxWorkers=2', '--json', `--outputFile=${resultFile}`, ...extra,
], { env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });

let summary = null;
let skippedNames = [];
if (existsSync(resultFile)) {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  summary = { passed: r.numPassedTests, failed: r.numFailedTests + r.numRuntimeErrorTestSuites, skipped: r.numPendingTests + r.numTodoTests, total: r.numTotalTests };
  // No silent green: every skipped test is named (its title says why, e.g. "needs Linux procfs").
  skippedNames = (r.testResults || []).flatMap((file) => (file.assertionResults || [])
    .filter((a) => a.status === 'pending' || a.status === 'skipped' || a.status === 'todo')
    .map((a) => `${file.name.replace(`${root}/`, '')} › ${a.fullName}`));
}
rmSync(outDir, { recursive: true, force: true });
if (!summary) {
  console.error('[test] jest produced no results');
  process.exit(1);
}
if (summary.total === 0) {
  console.error('[test] no test ran');
  process.exit(1);
}
if (skippedNames.length) process.stdout.write(`\n[test] skipped (${skippedNames.length}):\n${skippedNames.map((n) => `  ${n}`).join('\n')}\n`);
process.stdout.write(`\ntests: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
process.exit(jest.status === 0 && summary.failed === 0 ? 0 : 1);
