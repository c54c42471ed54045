/**
 * Remote commands end to end through a real Socket.IO connection (the backend's side emits
 * `command` with an ack, as AgentManager.request does) with real /bin/sh processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapabilityError, CommandRequest, CommandResult } from '@chatops/protocol';
import { parsePatterns } from '@chatops/protocol/command-patterns';
import { ExecHarness } from '../../test/exec-harness';
import { waitFor, type AgentServerSocket } from '../../test/fake-backend';
import { COMMAND_OUTPUT_MAX_CHARS, CommandExecutor, LOGGED_COMMAND_CHARS, type CommandExecutorOptions } from './command-executor';
import { EXEC_PATH, execIdentity, minimalEnv } from './exec-env';
import { ExecPolicy } from './exec-policy';
import { COMMAND_OUTPUT_CAP_BYTES, MAX_FRAME_BYTES } from './limits';
import { isRunning } from './process-tree';

type Ack = CommandResult | CapabilityError;
const isResult = (a: Ack): a is CommandResult => !('ok' in a);

describe('CommandExecutor through a real socket', () => {
  let h: ExecHarness;
  let commands: CommandExecutor;
  let s: AgentServerSocket;
  let dir: string;
  let n = 0;

  const setup = async (opts: Partial<CommandExecutorOptions> & { allow?: string } = {}) => {
    const { allow, ...rest } = opts;
    const policy = new ExecPolicy(allow === undefined ? null : { file: '/etc/chatops-agent/exec-allow', patterns: parsePatterns(allow) }, h.logger);
    commands = new CommandExecutor({
      cwd: '/', env: minimalEnv(execIdentity(), 'command'), policy, concurrency: 4, logger: h.logger, killGraceMs: 500, ...rest,
    });
    s = await h.connect({ commands, terminals: null });
  };
  const request = (command: string, over: Partial<CommandRequest> = {}): CommandRequest => ({ commandId: `c${++n}`, command, timeoutSec: 10, ...over });
  const send = (req: unknown, timeoutMs = 15_000): Promise<Ack> => s.timeout(timeoutMs).emitWithAck('command', req as CommandRequest);
  const run = async (command: string, over: Partial<CommandRequest> = {}): Promise<CommandResult> => {
    const ack = await send(request(command, over));
    if (!isResult(ack)) throw new Error(`refused: ${JSON.stringify(ack)}`);
    return ack;
  };

  beforeEach(async () => {
    h = new ExecHarness();
    await h.start();
    dir = mkdtempSync(join(tmpdir(), 'agent-cmd-'));
  });
  afterEach(async () => {
    await commands?.shutdown();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(h.backend.invalidStreams).toEqual([]);
  });

  it('runs /bin/sh -c: stdout, stderr, exit code; output streamed before the ack; one log line without output', async () => {
    await setup();
    const ok = await run('echo hello; echo oops >&2');
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'hello\n', stderr: 'oops\n', timedOut: false, truncated: false });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    // socket.io keeps order: every chunk arrived before the ack
    expect(h.backend.streamed(ok.commandId)).toBe('hello\n');
    expect(h.backend.streamed(ok.commandId, 'stderr')).toBe('oops\n');

    const failed = await run('echo partial; exit 3');
    expect(failed).toMatchObject({ exitCode: 3, stdout: 'partial\n', timedOut: false });
    expect(await run('false')).toMatchObject({ exitCode: 1 });

    const line = h.logs.find((l) => l.msg === 'command finished' && l.commandId === failed.commandId);
    expect(line).toMatchObject({ level: 'info', command: 'echo partial; exit 3', exitCode: 3, timedOut: false, truncated: false });
    expect(JSON.stringify(h.logs)).not.toContain('hello\\n');
  });

  it('runs with a minimal environment: none of the agent\'s variables (the API key) reach a command', async () => {
    process.env.CHATOPS_API_KEY = 'cok_must-never-reach-a-command';
    process.env.CHATOPS_SPEC_MARKER = 'marker';
    try {
      await setup();
      const env = await run('env');
      expect(env.stdout).not.toMatch(/CHATOPS_/);
      expect(env.stdout).not.toContain('cok_must-never-reach-a-command');
      const vars = new Map(env.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(vars.get('PATH')).toBe(EXEC_PATH);
      expect(vars.get('LANG')).toBe('C.UTF-8');
      expect(vars.get('TERM')).toBe('dumb');
      expect(vars.get('HOME')).toBe(execIdentity().home);
      expect(vars.get('USER')).toBe(execIdentity().user);
      expect(vars.get('LOGNAME')).toBe(execIdentity().user);
      // what sh adds itself (PWD, SHLVL, _) and nothing else
      for (const name of vars.keys()) expect(['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TERM', 'PWD', 'SHLVL', '_']).toContain(name);
    } finally {
      delete process.env.CHATOPS_API_KEY;
      delete process.env.CHATOPS_SPEC_MARKER;
    }
  });

  it('working directory: the default, an absolute cwd from the request; a relative one is invalid, a missing one spawn_failed', async () => {
    await setup({ cwd: dir });
    expect((await run('pwd')).stdout).toBe(`${dir}\n`);
    expect((await run('pwd', { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    await expect(send(request('pwd', { cwd: 'tmp' }))).resolves.toEqual({ ok: false, error: 'invalid', message: 'cwd must be an absolute path' });
    await expect(send(request('pwd', { cwd: join(dir, 'nope') }))).resolves.toEqual({
      ok: false, error: 'spawn_failed', message: `working directory ${join(dir, 'nope')}: ENOENT`,
    });
  });

  it('a timeout ends the whole process group: sh and its background children are gone, exitCode null', async () => {
    // a grace period far beyond any scheduling delay: finishing well inside it proves SIGTERM was enough
    await setup({ killGraceMs: 20_000 });
    const started = Date.now();
    const res = await run('sleep 100 & echo $!; sleep 100 & echo $!; echo $$; wait', { timeoutSec: 1 });
    const elapsed = Date.now() - started;
    expect(res).toMatchObject({ timedOut: true, exitCode: null });
    const pids = res.stdout.trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(res.durationMs).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(20_000); // no SIGKILL escalation was needed
  });

  it('SIGKILL after the grace period for a group that ignores SIGTERM', async () => {
    await setup({ killGraceMs: 300 });
    const res = await run(`trap '' TERM; sh -c "trap '' TERM; echo \\$\\$; while :; do sleep 0.05; done" & wait`, { timeoutSec: 1 });
    expect(res).toMatchObject({ timedOut: true, exitCode: null });
    expect(isRunning(Number(res.stdout.trim()))).toBe(false);
  });

  it('a background process left when the shell exits is ended with it (nothing outlives a command)', async () => {
    await setup();
    const res = await run('sleep 100 > /dev/null 2>&1 & echo $!');
    expect(res.exitCode).toBe(0);
    const pid = Number(res.stdout.trim());
    await waitFor(() => !isRunning(pid), 3000, 'leftover ended');
  });

  it('a process that left the group (setsid) but holds the pipe cannot hold the ack: cut off after the grace period', async () => {
    await setup({ killGraceMs: 300 });
    const started = Date.now();
    const res = await run(`setsid sh -c 'echo $$; exec sleep 100' & sleep 0.2`);
    expect(res.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000); // not held for the escaped sleep's 100 s
    const escaped = Number(res.stdout.trim());
    expect(isRunning(escaped)).toBe(true); // outside the group: not the agent's to kill (documented)
    process.kill(escaped, 'SIGKILL');
  });

  it('output cap: 5 MiB written fast → no hang, 1 MiB kept and streamed, truncated; the ack fits in one frame', async () => {
    await setup();
    const started = Date.now();
    const res = await run('head -c 5242880 /dev/zero | tr "\\0" a; echo done >&2');
    expect(Date.now() - started).toBeLessThan(30_000); // no hang on a full pipe
    expect(res).toMatchObject({ exitCode: 0, truncated: true, stderr: 'done\n' });
    // exactly the cap was streamed; what the agent keeps never exceeds it
    expect(h.backend.streamed(res.commandId)).toBe('a'.repeat(COMMAND_OUTPUT_CAP_BYTES));
    expect(res.stdout.length).toBeLessThanOrEqual(COMMAND_OUTPUT_CAP_BYTES);
    expect(res.stdout).toMatch(/^a+$/);
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    // chunks were coalesced, never one frame per read: a flush by size carries at least one full
    // frame (16 Ki) and at most one shorter remainder, and other flushes come at most every 50 ms,
    // so well under two frames per 16 Ki. One frame per pipe read (4 KiB writes) would be 256. How
    // the reads fall decides how many remainders there are: 64 and 67 frames have both been seen.
    const frames = h.backend.commandOutput.filter((c) => c.commandId === res.commandId && c.stream === 'stdout');
    expect(frames.length).toBeLessThanOrEqual(2 * (COMMAND_OUTPUT_CAP_BYTES / COMMAND_OUTPUT_MAX_CHARS) + 2);
  });

  it('an ack that JSON escaping would blow past the frame limit is trimmed to fit; the connection survives', async () => {
    await setup();
    // NUL bytes: 1 byte each on the pipe, 6 bytes (\u0000) each in JSON: 2 × 6 MiB unless trimmed
    const res = await run('head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2');
    expect(res).toMatchObject({ exitCode: 0, truncated: true });
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(res.stdout.length).toBeGreaterThan(50_000);
    expect(res.stderr.length).toBeGreaterThan(50_000);
    expect(h.backend.sockets).toHaveLength(1); // never dropped for an oversized frame
    expect((await run('echo still here')).stdout).toBe('still here\n');
  });

  it('decodes UTF-8 split across pipe reads', async () => {
    await setup();
    // € is e2 82 ac: the two writes arrive as separate reads
    const res = await run(`printf '\\342\\202'; sleep 0.2; printf '\\254 ok\\n'`);
    expect(res.stdout).toBe('€ ok\n');
    expect(h.backend.streamed(res.commandId)).toBe('€ ok\n');
    expect(h.backend.commandOutput.some((c) => c.data.includes('\ufffd'))).toBe(false);
  });

  it('bounded concurrency: the 5th command waits for a slot, past the queue bound → queue_full; timeouts count queue time', async () => {
    await setup({ concurrency: 4, queueLimit: 2 });
    const gate = join(dir, 'go');
    const blocker = (i: number) => `while [ ! -e ${gate} ]; do sleep 0.02; done; echo ran-${i}`;
    const first = [1, 2, 3, 4].map((i) => run(blocker(i)));
    await waitFor(() => commands.load.running === 4, 3000, '4 running');
    const fifth = run(blocker(5));
    const expiring = send(request(blocker(6), { timeoutSec: 0.5 }));
    await waitFor(() => commands.load.waiting === 2, 3000, '2 waiting');
    expect(commands.load).toEqual({ running: 4, waiting: 2 });
    await expect(send(request('echo too many'))).resolves.toMatchObject({ ok: false, error: 'queue_full' });

    // never started: timed out in the queue, counted from receipt
    await expect(expiring).resolves.toMatchObject({ timedOut: true, exitCode: null, stdout: '' });
    expect(commands.load).toEqual({ running: 4, waiting: 1 });

    writeFileSync(gate, '');
    const done = await Promise.all([...first, fifth]);
    expect(done.map((r) => r.stdout)).toEqual(['ran-1\n', 'ran-2\n', 'ran-3\n', 'ran-4\n', 'ran-5\n']);
    expect(commands.load).toEqual({ running: 0, waiting: 0 });
  });

  it('allow-list: a matching command runs; `df -h; reboot` is refused by `df *` with not_allowed, and logged', async () => {
    await setup({ allow: '# read-only\ndf *\necho *\n' });
    expect(await run('df -h /')).toMatchObject({ exitCode: 0 });
    const refused = await send(request('df -h; reboot'));
    expect(refused).toEqual({ ok: false, error: 'not_allowed', message: expect.stringContaining('/etc/chatops-agent/exec-allow') });
    await expect(send(request('uptime'))).resolves.toMatchObject({ ok: false, error: 'not_allowed' });
    const long = `echo ${'x'.repeat(500)} $(reboot)`;
    await expect(send(request(long))).resolves.toMatchObject({ ok: false, error: 'not_allowed' });
    const lines = h.logs.filter((l) => l.msg === 'command refused by the allow-list');
    expect(lines.map((l) => l.command)).toEqual(['df -h; reboot', 'uptime', `${long.slice(0, LOGGED_COMMAND_CHARS)}…`]);
    expect(lines.every((l) => l.level === 'warn')).toBe(true);
  });

  it('malformed requests are refused with invalid, and the agent keeps working', async () => {
    await setup();
    const bad: unknown[] = [
      null, 'ls', { command: 'ls', timeoutSec: 5 }, { commandId: 'x', timeoutSec: 5 }, { commandId: 'x', command: '  ', timeoutSec: 5 },
      { commandId: 'x', command: 'ls', timeoutSec: 0 }, { commandId: 'x', command: 'ls', timeoutSec: 601 },
      { commandId: 'x', command: 'ls', timeoutSec: '5' }, { commandId: 'x'.repeat(129), command: 'ls', timeoutSec: 5 },
      { commandId: 'x', command: 'a'.repeat(8193), timeoutSec: 5 }, { commandId: 'x', command: 'ls\0', timeoutSec: 5 },
    ];
    for (const req of bad) await expect(send(req)).resolves.toMatchObject({ ok: false, error: 'invalid', message: expect.any(String) });
    const slow = run('sleep 0.3; echo first', { commandId: 'dup' });
    await waitFor(() => commands.load.running === 1);
    await expect(send({ commandId: 'dup', command: 'echo second', timeoutSec: 5 })).resolves.toMatchObject({ ok: false, error: 'invalid' });
    await expect(slow).resolves.toMatchObject({ stdout: 'first\n' });
  });

  it('a lost connection ends its running commands (whole group) and drops queued ones; no ack is sent for them', async () => {
    await setup({ concurrency: 1 });
    const acks: Ack[] = [];
    s.emit('command', request('sleep 100 & echo $!; echo $$; wait'), (a: Ack) => acks.push(a));
    s.emit('command', request('echo queued'), (a: Ack) => acks.push(a));
    await waitFor(() => h.backend.commandOutput.length > 0 && commands.load.waiting === 1, 3000, 'command running, one queued');
    await waitFor(() => h.backend.streamed('c' + (n - 1)).trim().split('\n').length === 2, 3000, 'pids printed');
    const pids = h.backend.streamed('c' + (n - 1)).trim().split('\n').map(Number);
    s.disconnect(true);
    for (const pid of pids) await waitFor(() => !isRunning(pid), 3000, `pid ${pid} gone`);
    await waitFor(() => commands.load.running === 0 && commands.load.waiting === 0, 3000, 'nothing left');
    expect(acks).toEqual([]);
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'queued command dropped', reason: 'the backend connection is gone' }));
    // the agent reconnects and runs commands again
    s = await h.nextSocket(2);
    expect((await run('echo back')).stdout).toBe('back\n');
  });

  it('shutdown (agent stopping) ends every running command and refuses new ones', async () => {
    await setup();
    const acks: Ack[] = [];
    s.emit('command', request('sleep 100 & echo $!; wait'), (a: Ack) => acks.push(a));
    await waitFor(() => h.backend.commandOutput.length > 0, 3000, 'pid printed');
    const pid = Number(h.backend.commandOutput[0].data.trim());
    await commands.shutdown();
    expect(isRunning(pid)).toBe(false);
    await expect(send(request('echo late'))).resolves.toMatchObject({ ok: false, error: 'disabled' });
    expect(acks).toEqual([]);
  });
});
