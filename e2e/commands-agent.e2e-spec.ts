import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { LiveClientToServerEvents, LiveServerToClientEvents, LiveTerminalExit } from '@chatops/protocol';
import { apiClient, ApiResponse, until } from './support/http';
import { Proc, ROOT, startBackend } from './support/processes';

type Live = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
const AGENT = join(ROOT, 'dist/agent/cli.js');

/** The real agent CLI with extra flags (exec, terminal, allow-list...). */
function startAgentWith(baseUrl: string, apiKey: string, flags: string[]): Proc {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run "npm run build"`);
  const stateDir = mkdtempSync(join(tmpdir(), 'chatops-e2e-agent-'));
  let out = '';
  const { DATABASE_URL: _db, ...env } = process.env;
  const proc = spawn(process.execPath, [AGENT, '--url', baseUrl, '--interval', '1', '--state-dir', stateDir, ...flags], {
    env: { ...env, CHATOPS_API_KEY: apiKey, CHATOPS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Processes whose command line contains `marker` (the timeout test's children). */
const processesWith = (marker: string) =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));

/**
 * Remote commands and the web terminal with the real backend (embedded PostgreSQL), real agent
 * processes running real shells and PTYs, and a real `/live` socket.
 */
describe('commands and terminal (real agent)', () => {
  let backend: Proc & { baseUrl: string };
  const agents: Proc[] = [];
  let token = '';
  const api = apiClient(() => backend.baseUrl, () => ({ Authorization: `Bearer ${token}` }));
  const logs = () => [backend?.output() ?? '', ...agents.map((a) => a.output())].join('\n').slice(-6000);
  const ok = (res: ApiResponse, status = 200) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}\n${logs()}`);
    return res.body;
  };
  let execServer = '';
  let execKey = '';
  let execAgent: Proc;
  const tmp = mkdtempSync(join(tmpdir(), 'chatops-e2e-cmd-'));

  /** A server with a real agent started with `flags`, online with its hello recorded. */
  async function serverWithAgent(name: string, flags: string[]) {
    const server = ok(await api('POST', '/servers', { name }), 201);
    const key = ok(await api('POST', '/api-keys', { serverId: server.id }), 201);
    const agent = startAgentWith(backend.baseUrl, key.key, flags);
    agents.push(agent);
    await until(() => api('GET', `/servers/${server.id}`), (r) => r.body.status === 'online' && r.body.agent !== null, 30_000, `${name} online`, logs);
    return { serverId: server.id as string, key: key.key as string, agent };
  }
  const run = (serverId: string, command: string, timeoutSec?: number) => api('POST', `/commands/${serverId}`, { command, ...(timeoutSec ? { timeoutSec } : {}) });

  beforeAll(async () => {
    backend = await startBackend();
    token = ok(await api('POST', '/auth/register', { email: 'ops@example.test', username: 'ops', password: 'correct horse battery' }), 201).accessToken;
    const s = await serverWithAgent('exec-box', ['--enable-exec', '--enable-terminal', '--exec-concurrency', '2']);
    ({ serverId: execServer, key: execKey, agent: execAgent } = s);
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await backend?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs a shell command: stdout, stderr and the exit code', async () => {
    const body = ok(await run(execServer, 'echo out; echo err >&2; exit 3'));
    expect(body).toMatchObject({ status: 'failed', exitCode: 3, output: 'out\n', stderr: 'err\n', truncated: false });
    expect(ok(await run(execServer, 'uname -s'))).toMatchObject({ status: 'completed', exitCode: 0, output: 'Linux\n' });
    const history = ok(await api('GET', `/commands/${execServer}/history?limit=2`));
    expect(history.map((c: { command: string }) => c.command)).toEqual(['uname -s', 'echo out; echo err >&2; exit 3']);
  });

  it('kills the whole process group at the timeout', async () => {
    const body = ok(await run(execServer, "sh -c 'sleep 1001 & sleep 1002'", 1));
    expect(body).toMatchObject({ status: 'timeout', exitCode: null });
    await until(async () => processesWith('sleep 100'), (p) => p.length === 0, 10_000, 'no sleep left behind', () => processesWith('sleep 100').join('\n'));
  });

  it('caps each output stream at 1 MiB and says so', async () => {
    const body = ok(await run(execServer, "head -c 3000000 /dev/zero | tr '\\0' a"));
    expect(body.truncated).toBe(true);
    expect(body.output.length).toBeGreaterThan(900 * 1024); // 1 MiB, less what the result frame needs besides
    expect(body.output.length).toBeLessThanOrEqual(1024 * 1024);
    expect(body.output).toMatch(/^a+$/);
    expect(body.status).toBe('completed');
  });

  it('queues commands beyond the agent\'s concurrency (2): three 2-second sleeps take two rounds', async () => {
    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => run(execServer, 'sleep 2')));
    for (const r of results) expect(ok(r).status).toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  it('refuses with 403 when exec is off on the agent, naming the flag', async () => {
    const { serverId } = await serverWithAgent('no-exec', []);
    const res = await run(serverId, 'id');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'command.exec_disabled', message: expect.stringContaining('--enable-exec') });
  });

  it('enforces the agent\'s --exec-allow list and the server policy', async () => {
    const allow = join(tmp, 'allow');
    writeFileSync(allow, '# what ops may run\nuptime\necho *\n');
    const { serverId } = await serverWithAgent('allow-box', ['--enable-exec', '--exec-allow', allow]);
    expect(ok(await run(serverId, 'echo fine')).output).toBe('fine\n');
    const refused = await run(serverId, 'echo fine; id');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('command.not_allowed');
    expect((await run(serverId, 'id')).body.code).toBe('command.not_allowed');

    ok(await api('PUT', `/commands/${serverId}/policy`, { deny: ['echo secret*'] }));
    const denied = await run(serverId, 'echo secret stuff');
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('command.policy_denied');
  });

  it('opens a terminal: echo, resize, close, and the recording replays the same output', async () => {
    const live: Live = io(`${backend.baseUrl}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => { live.once('connect', resolve); live.once('connect_error', reject); });
      let screen = '';
      const exits: LiveTerminalExit[] = [];
      live.on('terminal_output', ({ data }) => { screen += data; });
      live.on('terminal_exit', (e) => exits.push(e));
      const ack = await live.timeout(10_000).emitWithAck('terminal_open', { serverId: execServer, cols: 80, rows: 24 });
      if (!ack.ok) throw new Error(`terminal refused: ${JSON.stringify(ack)}\n${logs()}`);
      const { sessionId } = ack;
      const type = (data: string) => live.timeout(5000).emitWithAck('terminal_input', { sessionId, data });

      await type('echo h""i\r'); // the echoed input is `h""i`: only real output shows `hi`
      await until(async () => screen, (s) => /\bhi\r?\n/.test(s), 15_000, 'hi in the terminal', () => screen);
      await live.timeout(5000).emitWithAck('terminal_resize', { sessionId, cols: 100, rows: 40 });
      await type('stty size\r');
      await until(async () => screen, (s) => s.includes('40 100'), 15_000, 'stty size 40 100', () => screen);
      expect(await live.timeout(5000).emitWithAck('terminal_close', { sessionId })).toEqual({ ok: true });
      await until(async () => exits, (e) => e.length === 1, 10_000, 'terminal_exit', () => JSON.stringify(exits));
      expect(exits[0]).toMatchObject({ sessionId, reason: 'closed' });

      const session = await until(() => api('GET', `/terminal/sessions/${sessionId}`), (r) => r.status === 200 && r.body.endedAt !== null, 10_000, 'session ended', logs);
      expect(session.body).toMatchObject({ serverId: execServer, cols: 80, rows: 24, endReason: 'closed' });
      const res = await fetch(`${backend.baseUrl}/api/v1/terminal/sessions/${sessionId}/recording`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const [header, ...events] = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as unknown);
      expect(header).toMatchObject({ version: 2, width: 80, height: 24 });
      const replayed = (events as Array<[number, string, string]>).filter(([, kind]) => kind === 'o').map(([, , data]) => data).join('');
      expect(replayed).toBe(screen);
      expect((events as Array<[number, string, string]>).filter(([, kind]) => kind === 'i').map(([, , d]) => d)).toEqual(['echo h""i\r', 'stty size\r']);
    } finally {
      live.close();
    }
  });

  it('ends a command as failed when the agent is killed mid-command (no hanging request)', async () => {
    const accepted = ok(await api('POST', `/commands/${execServer}?async=true`, { command: 'sleep 30', timeoutSec: 120 }), 202);
    await until(() => api('GET', `/commands/item/${accepted.commandId}`), (r) => r.body.status === 'running', 10_000, 'running', logs);
    execAgent.proc.kill('SIGKILL');
    const done = await until(() => api('GET', `/commands/item/${accepted.commandId}`), (r) => r.body.status !== 'running', 20_000, 'command ended', logs);
    expect(done.body).toMatchObject({ status: 'failed', exitCode: null, error: expect.stringMatching(/disconnected/) });
    // The same key reconnects: commands work again.
    const again = startAgentWith(backend.baseUrl, execKey, ['--enable-exec']);
    agents.push(again);
    await until(() => run(execServer, 'echo back'), (r) => r.status === 200 && r.body.output === 'back\n', 30_000, 'agent back', logs);
  });
});
