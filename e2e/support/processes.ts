import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const BACKEND = join(ROOT, 'dist/backend/main.js');
const AGENT = join(ROOT, 'dist/agent/cli.js');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Proc { proc: ChildProcess; output: () => string; stop: () => Promise<void> }

function launch(args: string[], env: Record<string, string>): Proc {
  let out = '';
  const { DATABASE_URL: _db, ...base } = process.env;
  const proc = spawn(process.execPath, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `npm start`'s server: the built backend with a fresh embedded PostgreSQL in a temp data dir.
 * `env`: more configuration; `port`: when the caller must know the URL first (e.g. an OIDC redirect URI).
 */
export async function startBackend(env: Record<string, string> = {}, fixedPort?: number): Promise<Proc & { baseUrl: string }> {
  for (const f of [BACKEND, join(ROOT, 'dist/frontend/browser/index.html')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" (npm test does it)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chatops-e2e-'));
  const port = fixedPort ?? (await freePort());
  const p = launch([BACKEND], { CHATOPS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env });
  const deadline = Date.now() + 60_000;
  while (!p.output().includes('ChatOps is running')) {
    if (Date.now() > deadline || p.proc.exitCode !== null) throw new Error(`backend did not start:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ...p,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await p.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The real agent CLI, reporting every second; `extraArgs` are more CLI options (e.g.
 * `--enable-exec --enable-terminal`). `buffered()`: samples in its on-disk buffer of unacknowledged ones.
 */
export function startAgent(baseUrl: string, apiKey: string, extraArgs: string[] = []): Proc & { buffered: () => number } {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run "npm run build"`);
  const stateDir = mkdtempSync(join(tmpdir(), 'chatops-e2e-agent-'));
  const p = launch([AGENT, '--url', baseUrl, '--interval', '1', '--state-dir', stateDir, ...extraArgs], { CHATOPS_API_KEY: apiKey, CHATOPS_LOG_LEVEL: 'warn' });
  const buffered = () => {
    try {
      return readFileSync(join(stateDir, 'unacked-samples.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0; // no file: nothing has stayed unacknowledged
    }
  };
  return { ...p, buffered, stop: async () => { await p.stop(); rmSync(stateDir, { recursive: true, force: true }); } };
}
