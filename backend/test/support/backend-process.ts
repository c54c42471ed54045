import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './app';
import { channelPrefixFor, TEST_REDIS_URL } from './redis';

const MAIN = resolve(__dirname, '../../../dist/backend/main.js');

/** A real `node dist/backend/main.js` process: what SIGKILL can take down without any hook running. */
export interface BackendProcess {
  url: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGKILL, resolving once the process is gone. */
  kill: () => Promise<void>;
}

const freePort = () => new Promise<number>((done) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    srv.close(() => done(port));
  });
});

/**
 * Starts a backend process on `dbUrl` and the test Redis with the test apps' JWT secret (tokens
 * issued by the in-process instances work on it) and `env`; resolves once it serves.
 */
export async function startBackendProcess(dbUrl: string, env: Record<string, string> = {}): Promise<BackendProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it)`);
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  let out = '';
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      ...inherited, DATABASE_URL: dbUrl, REDIS_URL: TEST_REDIS_URL, REDIS_CHANNEL_PREFIX: channelPrefixFor(dbUrl), PORT: String(port), HOST: '127.0.0.1',
      JWT_SECRET: 'test-secret-' + 'x'.repeat(40), CHATOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chatops-proc-')),
      SERVE_FRONTEND: 'false', LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      // Shared through Redis with every test instance (one client address): see support/app.ts.
      AUTH_RATE_LIMIT: '10000/60', AUTH_SESSION_RATE_LIMIT: '10000/60',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('ChatOps is running') || proc.exitCode !== null, Boolean, 60_000, 'the backend process to start');
  if (proc.exitCode !== null) throw new Error(`the backend process exited ${proc.exitCode}: ${out.slice(-2000)}`);
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    output: () => out,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
    },
  };
}
