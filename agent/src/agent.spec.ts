import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeBackend, waitFor } from '../test/fake-backend';
import { fakeSample } from '../test/sample-factory';
import { Agent, BUFFER_FILE, STOP_COLLECTION_WAIT_MS } from './agent';
import type { HostCollector } from './collectors/host-collector';
import { parseConfig, type AgentConfig } from './config';
import { isRunning } from './executors/process-tree';
import { PtyUnavailableError } from './executors/pty-loader';
import { createLogger } from './log';

const KEY = 'cok_agent-spec-key';

/** Collector stand-in: schema-valid data without touching /proc, so the test is about delivery. */
const fakeCollector = { collect: async () => { const { seq, bootId, ...rest } = fakeSample(0); void seq; void bootId; return { ...rest, timestamp: new Date().toISOString() }; } } as unknown as HostCollector;

describe('Agent delivery across outages and restarts (real Socket.IO server)', () => {
  let backend: FakeBackend;
  let stateDir: string;
  const agents: Agent[] = [];

  const config = (url: string, extra: string[] = []): AgentConfig => {
    const r = parseConfig(['--url', url, '--api-key', KEY, '--interval', '1', '--state-dir', stateDir, ...extra], {});
    if (r.kind !== 'run') throw new Error('config');
    return r.config;
  };
  const newAgent = (url: string, extra: string[] = []) => {
    const a = new Agent({
      config: config(url, extra),
      commands: { killGraceMs: 500 },
      terminals: { killGraceMs: 500 },
      logger: createLogger({ level: 'silent' }),
      collector: fakeCollector,
      inventory: { hostname: 'web-01', os: 'Debian GNU/Linux 12', arch: 'x64' },
      connection: { backoffMinMs: 100, backoffMaxMs: 200, ackTimeoutMs: 1000, ackRetryMs: 200 },
      flushDelayMs: 100,
    });
    agents.push(a);
    return a;
  };

  beforeEach(async () => {
    backend = new FakeBackend();
    backend.validKeys.add(KEY);
    await backend.start();
    stateDir = mkdtempSync(join(tmpdir(), 'agent-state-'));
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await backend.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('backend down → samples buffered → backend back → replayed oldest first, no gap in seq', async () => {
    const agent = newAgent(backend.url);
    await agent.start();
    await waitFor(() => backend.seqs(agent.bootId).length >= 2, 15_000, 'live samples');
    expect(backend.hellos[0]).toMatchObject({ bootId: agent.bootId, intervalSec: 1, capabilities: { exec: false, docker: false, terminal: false } });

    const port = backend.port;
    await backend.stop();
    const before = backend.stored.size;
    await waitFor(() => agent.buffer.size >= 2, 15_000, 'offline ticks kept in the buffer');
    const buffered = agent.buffer.size;

    await backend.start(port);
    await waitFor(() => agent.buffer.size === 0 && backend.batches.length > 0, 15_000, 'replay');
    const seqs = backend.seqs(agent.bootId);
    expect(seqs).toEqual([...Array(seqs.length).keys()]); // 0..n, no gap
    expect(seqs.length).toBeGreaterThanOrEqual(before + buffered);
    const replayed = backend.batches[0].map((s) => s.seq);
    expect(replayed[0]).toBe(before); // the first sample that was never acknowledged
    expect(replayed).toEqual([...replayed].sort((a, b) => a - b)); // oldest first
  });

  it('keeps the buffer file up to date on its ticks, even while a collection hangs (the buffer has no timers)', async () => {
    const port = backend.port;
    await backend.stop(); // unreachable: every sample stays unacknowledged
    let hang = false;
    const collector = {
      collect: () => (hang ? new Promise<never>(() => undefined) : fakeCollector.collect()),
    } as unknown as HostCollector;
    const agent = new Agent({
      config: config(`http://127.0.0.1:${port}`),
      logger: createLogger({ level: 'silent' }),
      collector,
      inventory: { hostname: 'web-01', os: 'Debian GNU/Linux 12', arch: 'x64' },
      connection: { backoffMinMs: 100, backoffMaxMs: 200, ackTimeoutMs: 1000, ackRetryMs: 200 },
      flushDelayMs: 100,
    });
    agents.push(agent);
    const file = join(stateDir, BUFFER_FILE);
    const onDisk = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0);
    await agent.start(); // sample 0 (interval 1 s)
    expect(onDisk()).toBe(0); // in flight, younger than the delay
    await waitFor(() => agent.buffer.size === 2, 15_000, 'a second sample');
    hang = true; // every later collection never returns
    expect(onDisk()).toBe(1); // the first tick wrote sample 0 (unacked for > 100 ms) before collecting
    await waitFor(() => onDisk() === 2, 15_000, 'the second sample written by the next tick, whose collection hangs');
    expect(agent.buffer.size).toBe(2);
    // Shutdown does not wait on the stuck collection for more than STOP_COLLECTION_WAIT_MS.
    const t0 = Date.now();
    await agent.stop();
    expect(Date.now() - t0).toBeLessThan(STOP_COLLECTION_WAIT_MS + 5000); // a stop that waited for the hang would never end
    expect(onDisk()).toBe(2);
  });

  it('an agent restart keeps unacknowledged samples (own bootId/seq) and the next run replays them', async () => {
    const port = backend.port;
    await backend.stop(); // backend unreachable during the first run
    const first = newAgent(`http://127.0.0.1:${port}`);
    await first.start();
    await waitFor(() => first.buffer.size >= 2, 15_000, 'two unacknowledged samples');
    await first.stop();
    const file = join(stateDir, BUFFER_FILE);
    expect(existsSync(file)).toBe(true);
    const persisted = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(persisted.map((s) => s.seq)).toEqual([...Array(persisted.length).keys()]);
    expect(persisted.length).toBeGreaterThanOrEqual(2);
    expect(new Set(persisted.map((s) => s.bootId))).toEqual(new Set([first.bootId]));

    await backend.start(port);
    const second = newAgent(backend.url);
    expect(second.bootId).not.toBe(first.bootId);
    await second.start();
    await waitFor(() => backend.seqs(first.bootId).length === persisted.length && backend.seqs(second.bootId).length >= 1, 15_000, 'replay of the first run');
    expect(backend.batches[0][0]).toMatchObject({ bootId: first.bootId, seq: 0 });
    await waitFor(() => !existsSync(file), 15_000, 'buffer file removed once everything is acknowledged');
  });

  describe('remote commands and the terminal', () => {
    it('off by default: hello says so and requests answer disabled', async () => {
      const agent = newAgent(backend.url);
      await agent.start();
      await waitFor(() => backend.hellos.length === 1 && backend.sockets.length === 1);
      expect(backend.hellos[0].capabilities).toEqual({ exec: false, docker: false, terminal: false, dockerReadOnly: false });
      await expect(backend.sockets[0].timeout(2000).emitWithAck('command', { commandId: 'c1', command: 'id', timeoutSec: 5 }))
        .resolves.toEqual({ ok: false, error: 'disabled' });
      await expect(backend.sockets[0].timeout(2000).emitWithAck('terminal_open', { sessionId: 't1', cols: 80, rows: 24 }))
        .resolves.toEqual({ ok: false, error: 'disabled' });
    });

    it('hello tells the truth: exec alone, or exec and terminal', async () => {
      const execOnly = newAgent(backend.url, ['--enable-exec']);
      await execOnly.start();
      await waitFor(() => backend.hellos.length === 1);
      expect(backend.hellos[0].capabilities).toEqual({ exec: true, docker: false, terminal: false, dockerReadOnly: false });
      await execOnly.stop();
      const both = newAgent(backend.url, ['--enable-exec', '--enable-terminal', '--terminal-shell', '/bin/sh']);
      await both.start();
      await waitFor(() => backend.hellos.length === 2);
      expect(backend.hellos[1].capabilities).toEqual({ exec: true, docker: false, terminal: true, dockerReadOnly: false });
    });

    it('a PTY that cannot be used stops the start before the agent connects', async () => {
      const agent = new Agent({
        config: config(backend.url, ['--enable-exec', '--enable-terminal', '--terminal-shell', '/bin/sh']),
        logger: createLogger({ level: 'silent' }), collector: fakeCollector,
        inventory: { hostname: 'web-01', os: 'Alpine', arch: 'x64' },
        loadPty: () => { throw new PtyUnavailableError('the prebuilt PTY binary (@lydell/node-pty) needs glibc'); },
      });
      await expect(agent.start()).rejects.toThrow(PtyUnavailableError);
      // start() failed before it created a connection: nothing can connect later.
      expect(agent.connection).toBeUndefined();
      expect(backend.attempts).toEqual([]);
    });

    it('agent stop ends every running command and terminal shell', async () => {
      const agent = newAgent(backend.url, ['--enable-exec', '--enable-terminal', '--terminal-shell', '/bin/sh']);
      await agent.start();
      await waitFor(() => backend.sockets.length === 1 && backend.hellos.length === 1);
      const s = backend.sockets[0];
      s.emit('command', { commandId: 'long', command: 'sleep 100 & echo $!; wait', timeoutSec: 600 }, () => undefined);
      await expect(s.timeout(5000).emitWithAck('terminal_open', { sessionId: 'term', cols: 80, rows: 24 })).resolves.toEqual({ ok: true });
      s.emit('terminal_input', { sessionId: 'term', data: 'echo "pid=$$"\r' });
      await waitFor(() => /pid=\d+\r\n/.test(backend.screen('term')) && backend.streamed('long') !== '', 5000, 'both running');
      const shell = Number(/pid=(\d+)\r\n/.exec(backend.screen('term'))![1]);
      const sleeper = Number(backend.streamed('long').trim());
      expect(isRunning(shell) && isRunning(sleeper)).toBe(true);
      await agent.stop();
      expect(isRunning(shell)).toBe(false);
      expect(isRunning(sleeper)).toBe(false);
    });
  });
});
