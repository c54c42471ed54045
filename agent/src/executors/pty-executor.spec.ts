/**
 * The web terminal end to end through a real Socket.IO connection, with a real PTY
 * (@lydell/node-pty) and real shells.
 */
import type { TerminalOpenAck } from '@chatops/protocol';
import { ExecHarness } from '../../test/exec-harness';
import { waitFor, type AgentServerSocket } from '../../test/fake-backend';
import { execIdentity, minimalEnv } from './exec-env';
import { isRunning } from './process-tree';
import { PtyExecutor, loginShellArgs, type PtyExecutorOptions } from './pty-executor';
import { loadPty } from './pty-loader';

/**
 * How long a step may take: these check that things happen, not how fast, and a CI machine running
 * Chromium and PostgreSQL beside this once took longer than 5 s from `exit 3` to terminal_exit.
 */
const STEP_MS = 15_000;
jest.setTimeout(60_000);

describe('PtyExecutor through a real socket', () => {
  let h: ExecHarness;
  let terminals: PtyExecutor;
  let s: AgentServerSocket;
  let n = 0;

  const setup = async (opts: Partial<PtyExecutorOptions> = {}) => {
    const shell = opts.shell ?? '/bin/sh';
    terminals = new PtyExecutor({
      pty: loadPty(), shell, shellArgs: [], cwd: '/', env: minimalEnv(execIdentity(), 'terminal', shell),
      maxSessions: 4, idleTimeoutMs: 60_000, logger: h.logger, killGraceMs: 500, ...opts,
    });
    s = await h.connect({ commands: null, terminals });
  };
  const open = (cols = 80, rows = 24, sessionId = `t${++n}`): Promise<TerminalOpenAck> =>
    s.timeout(STEP_MS).emitWithAck('terminal_open', { sessionId, cols, rows });
  const type = (sessionId: string, data: string) => s.emit('terminal_input', { sessionId, data });
  const screen = (sessionId: string) => h.backend.screen(sessionId);
  const waitScreen = (sessionId: string, re: RegExp, what = String(re)) => waitFor(() => re.test(screen(sessionId)), STEP_MS, what);
  /** The shell printed its prompt (typing earlier would put the prompt in the middle of the output). */
  const prompt = (sessionId: string) => waitScreen(sessionId, /[$#] $/, 'prompt');
  const exitOf = (sessionId: string) => h.backend.terminalExits.find((e) => e.sessionId === sessionId);

  beforeEach(async () => {
    h = new ExecHarness();
    await h.start();
  });
  afterEach(async () => {
    await terminals?.shutdown();
    await h.stop();
    expect(h.backend.invalidStreams).toEqual([]);
  });

  it('opens a shell: typed input runs, output comes back; exit 3 → terminal_exit with exitCode 3', async () => {
    await setup();
    await expect(open()).resolves.toEqual({ ok: true });
    const id = `t${n}`;
    await prompt(id);
    type(id, 'echo hi\r');
    await waitScreen(id, /\r\nhi\r\n/, 'hi echoed');
    type(id, 'echo "$TERM $LANG"; env | grep -c CHATOPS_\r');
    await waitScreen(id, /xterm-256color C\.UTF-8\r\n0\r\n/, 'terminal env');
    type(id, 'exit 3\r');
    await waitFor(() => exitOf(id) !== undefined, STEP_MS, 'terminal_exit');
    expect(exitOf(id)).toEqual({ sessionId: id, exitCode: 3, reason: 'exit' });
    expect(terminals.count).toBe(0);
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'terminal ended', sessionId: id, reason: 'exit', exitCode: 3 }));
  });

  it('resize: stty size shows the new size', async () => {
    await setup();
    await open(80, 24);
    const id = `t${n}`;
    await prompt(id);
    type(id, 'stty size\r');
    await waitScreen(id, /\r\n24 80\r\n/, 'initial size');
    s.emit('terminal_resize', { sessionId: id, cols: 100, rows: 30 });
    type(id, 'stty size\r');
    await waitScreen(id, /\r\n30 100\r\n/, 'new size');
    // out-of-range resizes are ignored, the session keeps working
    s.emit('terminal_resize', { sessionId: id, cols: 1001, rows: 30 });
    s.emit('terminal_resize', { sessionId: id, cols: 0, rows: 30 });
    type(id, 'stty size; echo mark\r');
    await waitScreen(id, /\r\n30 100\r\nmark\r\n/, 'size unchanged');
  });

  it('close ends the shell and every job it started (its whole session): terminal_exit, pids gone', async () => {
    await setup({ shell: '/bin/bash', shellArgs: ['--norc', '-i'] });
    await open();
    const id = `t${n}`;
    await prompt(id);
    // interactive bash: the job gets a process group of its own
    type(id, 'sleep 1000 & echo "job=$! shell=$$"\r');
    await waitScreen(id, /job=\d+ shell=\d+/, 'pids');
    const [, job, shell] = /job=(\d+) shell=(\d+)/.exec(screen(id))!.map(Number);
    expect(terminals.pids).toEqual([shell]);
    s.emit('terminal_close', { sessionId: id });
    await waitFor(() => exitOf(id) !== undefined, STEP_MS, 'terminal_exit');
    expect(exitOf(id)).toEqual({ sessionId: id, exitCode: null, reason: 'closed' });
    expect(isRunning(shell)).toBe(false);
    expect(isRunning(job)).toBe(false);
    expect(terminals.count).toBe(0);
  });

  it('idle timeout: no input for that long ends the session with terminal_exit', async () => {
    await setup({ idleTimeoutMs: 400 });
    await open();
    const id = `t${n}`;
    await prompt(id);
    type(id, 'echo $$\r');
    await waitScreen(id, /\r\n\d+\r\n/, 'pid');
    const pid = Number(/\r\n(\d+)\r\n/.exec(screen(id))![1]);
    const started = Date.now();
    await waitFor(() => exitOf(id) !== undefined, STEP_MS, 'idle exit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(isRunning(pid)).toBe(false);
    expect(exitOf(id)).toMatchObject({ reason: 'idle' }); // the backend tells the browser why
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: 'terminal ended', sessionId: id, reason: 'idle' }));
  });

  it('input keeps an idle session alive', async () => {
    await setup({ idleTimeoutMs: 500 });
    await open();
    const id = `t${n}`;
    await prompt(id);
    for (let i = 0; i < 6; i++) {
      type(id, `echo tick${i}\r`);
      await waitScreen(id, new RegExp(`\\r\\ntick${i}\\r\\n`), `tick${i}`);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(exitOf(id)).toBeUndefined(); // 900 ms of activity > 500 ms idle timeout
  });

  it('session cap: too_many_sessions beyond the limit; a slot frees when a session ends', async () => {
    await setup({ maxSessions: 2 });
    await expect(open()).resolves.toEqual({ ok: true });
    const first = `t${n}`;
    await expect(open()).resolves.toEqual({ ok: true });
    await expect(open()).resolves.toMatchObject({ ok: false, error: 'too_many_sessions', message: expect.any(String) });
    s.emit('terminal_close', { sessionId: first });
    await waitFor(() => exitOf(first) !== undefined, STEP_MS, 'first closed');
    await expect(open()).resolves.toEqual({ ok: true });
  });

  it('malformed frames, and frames for sessions that do not exist, are refused or ignored; the agent never crashes', async () => {
    await setup();
    for (const req of [null, { sessionId: '', cols: 80, rows: 24 }, { sessionId: 'a', cols: 0, rows: 24 }, { sessionId: 'a', cols: 80, rows: 501 },
      { sessionId: 'a', cols: 80.5, rows: 24 }, { sessionId: 'x'.repeat(129), cols: 80, rows: 24 }]) {
      await expect(s.timeout(5000).emitWithAck('terminal_open', req as never)).resolves.toMatchObject({ ok: false, error: 'invalid' });
    }
    await expect(open(80, 24, 'same')).resolves.toEqual({ ok: true });
    await prompt('same');
    await expect(open(80, 24, 'same')).resolves.toMatchObject({ ok: false, error: 'invalid' });
    for (const frame of [null, 'x', { sessionId: 'unknown', data: 'reboot\r' }, { sessionId: 'same', data: 'x'.repeat(64 * 1024 + 1) }, { sessionId: 'same', data: 5 }]) {
      s.emit('terminal_input', frame as never);
    }
    for (const frame of [null, { sessionId: 'same', cols: '80', rows: 24 }, { sessionId: 'same', cols: 80 }, { sessionId: 'unknown', cols: 80, rows: 24 }]) {
      s.emit('terminal_resize', frame as never);
    }
    for (const frame of [null, 'same', { sessionId: 5 }, { sessionId: 'unknown' }, {}]) s.emit('terminal_close', frame as never);
    type('same', 'echo alive\r');
    await waitScreen('same', /\r\nalive\r\n/, 'still working');
    expect(screen('same')).not.toContain('xxxxxxxx');
  });

  it('a lost connection ends its terminals (no terminal_exit to anyone); the agent reconnects', async () => {
    await setup();
    await open();
    const id = `t${n}`;
    await prompt(id);
    type(id, 'echo $$\r');
    await waitScreen(id, /\r\n\d+\r\n/, 'pid');
    const pid = Number(/\r\n(\d+)\r\n/.exec(screen(id))![1]);
    s.disconnect(true);
    await waitFor(() => !isRunning(pid), STEP_MS, 'shell gone');
    await waitFor(() => terminals.count === 0, 3000, 'session freed');
    s = await h.nextSocket(2);
    expect(exitOf(id)).toBeUndefined();
    await expect(open()).resolves.toEqual({ ok: true });
  });

  it('a login shell: bash -l', async () => {
    await setup({ shell: '/bin/bash', shellArgs: loginShellArgs('/bin/bash') });
    expect(loginShellArgs('/bin/bash')).toEqual(['-l']);
    expect(loginShellArgs('/usr/bin/fish')).toEqual(['-l']);
    expect(loginShellArgs('/opt/odd-shell')).toEqual([]);
    await open();
    const id = `t${n}`;
    await prompt(id);
    type(id, 'shopt -q login_shell && echo LOGIN-$((40+2))\r');
    await waitScreen(id, /LOGIN-42/, 'login shell');
  });

  it('keystroke echo latency inside the agent (socket → PTY → socket, loopback): not held back by coalescing', async () => {
    await setup();
    await open();
    const id = `t${n}`;
    await prompt(id);
    type(id, 'stty -icanon -echo; cat\r'); // cat writes back every byte as it arrives
    await new Promise((r) => setTimeout(r, 200));
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 15)); // typing speed: keystrokes tens of ms apart
      const echoed = new Promise<void>((resolve) => {
        const onOutput = (frame: { sessionId: string; data: string }) => {
          if (frame.sessionId !== id || !frame.data.includes('k')) return;
          s.off('terminal_output', onOutput);
          resolve();
        };
        s.on('terminal_output', onOutput);
      });
      const t0 = performance.now();
      type(id, 'k');
      await echoed;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[50];
    // The first bytes after a pause are sent at once, not after the 5 ms coalescing interval
    // (measured numbers in docs/agent.md); the bound leaves room for a busy machine.
    expect(median).toBeLessThan(15);
  });
});
