/**
 * The real CLI, compiled with TypeScript into a temp dir in beforeAll (ts-node is not installed), run as a
 * child process: `--once --json`, `--help`, config errors, and SIGTERM with a buffer flush.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/** typescript's compiler API, required untyped: its 10k-line typings would slow ts-jest down. */
const ts = require('typescript') as {
  transpileModule(src: string, o: { compilerOptions: Record<string, unknown>; fileName: string }): { outputText: string };
};
import { metricsSampleSchema } from '@chatops/protocol';
import { BUFFER_FILE } from './agent';

const REPO = resolve(__dirname, '../..');
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

describe('chatops-agent CLI (compiled)', () => {
  let out: string;
  let cli: string;
  const env = { ...process.env, NODE_PATH: join(REPO, 'node_modules'), CHATOPS_URL: '', CHATOPS_API_KEY: '' };

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'agent-cli-'));
    if (!existsSync(join(REPO, 'libs/protocol/dist/index.js'))) {
      execFileSync(process.execPath, [TSC, '-p', join(REPO, 'libs/protocol/tsconfig.json')]);
    }
    // Same emit as `tsc -p agent/tsconfig.build.json`, file by file without the type check
    // (ts-jest type-checks these sources already): seconds instead of a full program build.
    const compilerOptions = { module: 'commonjs', target: 'es2022', esModuleInterop: true };
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : []);
    for (const file of walk(__dirname)) {
      const target = join(out, relative(__dirname, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText);
    }
    cli = join(out, 'cli.js');
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const run = (args: string[]) => {
    try {
      return { code: 0, stdout: execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('--once --json prints one schema-valid sample of this machine and exits 0', () => {
    const r = run(['--once', '--json', '--docker-socket', join(out, 'no-docker.sock')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const sample = metricsSampleSchema.parse(JSON.parse(lines[0]));
    expect(sample.seq).toBe(0);
    expect(sample.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(sample.memory.totalBytes).toBeGreaterThan(0);
    expect(sample.disks.length).toBeGreaterThanOrEqual(1);
    expect(sample.disks.some((d) => d.mount === '/')).toBe(true);
    expect(sample.network.some((n) => n.iface === 'lo')).toBe(false);
    expect(sample.processes?.length).toBeGreaterThan(0);
    expect(sample.containers).toBeUndefined(); // Docker not reachable
  });

  it('--help, --version, and a clear error (exit 2) without --url', () => {
    expect(run(['--help']).stdout).toContain('--api-key-file');
    expect(run(['--help']).stdout).toMatch(/--docker-read-only +CHATOPS_DOCKER_READ_ONLY/);
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const r = run(['--api-key', 'cok_never_printed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing backend URL');
    expect(r.stderr).not.toContain('cok_never_printed');
  });

  it('SIGTERM: stops ticking, flushes the buffer file, exits 0; the key never appears in logs', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'agent-cli-state-'));
    const key = 'cok_super-secret-key-value';
    const child = spawn(process.execPath, [cli, '--url', 'http://127.0.0.1:9', '--api-key', key, '--interval', '1',
      '--state-dir', stateDir, '--log-level', 'debug', '--docker-socket', join(stateDir, 'none.sock')], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait for the agent to have buffered two unacknowledged samples on disk (the backend is unreachable).
    const buffered = () => { try { return readFileSync(join(stateDir, BUFFER_FILE), 'utf8').trim().split('\n').length; } catch { return 0; } };
    for (const deadline = Date.now() + 15_000; buffered() < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const samples = readFileSync(join(stateDir, BUFFER_FILE), 'utf8').trim().split('\n').map((l) => metricsSampleSchema.parse(JSON.parse(l)));
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.map((s) => s.seq)).toEqual([...Array(samples.length).keys()]);
    const logs = stderr.trim().split('\n').map((l) => JSON.parse(l)); // not a TTY: JSON lines
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['agent started', 'cannot connect to the backend', 'shutting down']));
    expect(stderr).not.toContain(key);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('exec settings are checked at start: one clear line and exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-cli-exec-'));
    const allow = join(dir, 'allow');
    writeFileSync(allow, 'df *\nre:[\n');
    const base = ['--url', 'http://127.0.0.1:9', '--api-key', 'cok_x'];
    const bad = run([...base, '--enable-exec', '--exec-allow', allow]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(new RegExp(`^chatops-agent: invalid --exec-allow ${allow}: line 2: invalid regular expression`));
    const terminal = run([...base, '--enable-terminal']);
    expect(terminal.code).toBe(2);
    expect(terminal.stderr).toContain('--enable-terminal needs --enable-exec');
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGHUP reloads the --exec-allow file (new count logged; an invalid file keeps the old list) and does not stop the agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-cli-hup-'));
    const allow = join(dir, 'allow');
    writeFileSync(allow, 'df *\n');
    const child = spawn(process.execPath, [cli, '--url', 'http://127.0.0.1:9', '--api-key', 'cok_x', '--state-dir', dir,
      '--docker-socket', join(dir, 'none.sock'), '--enable-exec', '--exec-allow', allow, '--exec-cwd', dir], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const logs = () => stderr.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const until = async (what: (l: Record<string, unknown>) => boolean) => {
      for (const deadline = Date.now() + 10_000; !logs().some(what); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) throw new Error(`no such log line in:\n${stderr}`);
      }
    };
    await until((l) => l.msg === 'agent started');
    expect(logs()).toContainEqual(expect.objectContaining({ msg: 'remote commands enabled', allowList: allow, patterns: 1, cwd: dir }));
    writeFileSync(allow, 'df *\nuptime\nfree -m\n');
    child.kill('SIGHUP');
    await until((l) => l.msg === 'exec allow-list reloaded' && l.patterns === 3);
    writeFileSync(allow, 're:(\n');
    child.kill('SIGHUP');
    await until((l) => l.msg === 'exec allow-list not reloaded: the previous one stays in force' && l.patterns === 3);
    expect(child.exitCode).toBeNull(); // still running
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
