import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_LIMITS, type HelloFrame } from '@chatops/protocol';
import { FakeBackend, sleep, waitFor } from '../../test/fake-backend';
import { fakeSample } from '../../test/sample-factory';
import { SampleBuffer } from '../buffer/sample-buffer';
import { createLogger } from '../log';
import { AgentConnection, MAX_FRAME_BYTES, type ConnectionOptions } from './agent-connection';

/** A port nothing listens on (taken and released at once). */
const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    srv.close(() => resolve(port));
  });
});

const KEY = 'cok_test-key-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const BOOT = '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f405162';

describe('AgentConnection against a real Socket.IO /agents server', () => {
  let backend: FakeBackend;
  let dir: string;
  let buffer: SampleBuffer;
  let conn: AgentConnection | undefined;
  let logs: Array<Record<string, unknown>>;

  const hello: HelloFrame = {
    agentVersion: '0.1.0', hostname: 'web-01', os: 'Debian GNU/Linux 12', arch: 'x64', bootId: BOOT, intervalSec: 5,
    capabilities: { exec: false, docker: false, terminal: false },
  };

  const connect = (over: Partial<ConnectionOptions> = {}) => {
    conn = new AgentConnection({
      url: backend.url, apiKey: KEY, buffer, hello: () => hello,
      capabilities: () => ({ exec: false, docker: false, terminal: false, dockerReadOnly: false }),
      logger: createLogger({ level: 'debug', json: true, write: (l) => logs.push(JSON.parse(l)) }),
      backoffMinMs: 100, backoffMaxMs: 300, unauthorizedRetryMs: 700, ackTimeoutMs: 800, ackRetryMs: 200,
      ...over,
    });
    conn.start();
    return conn;
  };

  beforeEach(async () => {
    backend = new FakeBackend();
    backend.validKeys.add(KEY);
    await backend.start();
    dir = mkdtempSync(join(tmpdir(), 'agent-conn-'));
    buffer = new SampleBuffer({ file: join(dir, 'buf.jsonl'), maxSamples: 1000, flushDelayMs: 50 });
    logs = [];
  });
  afterEach(async () => {
    await conn?.stop();
    conn = undefined;
    buffer.close();
    await backend.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--url a,b: fails over to the next instance when one is down or goes away, losing and duplicating no sample', async () => {
    const other = new FakeBackend();
    other.validKeys.add(KEY);
    await other.start();
    try {
      // The first URL answers nothing at all: the next attempt goes to the second.
      const dead = `http://127.0.0.1:${await freePort()}`;
      connect({ url: dead, urls: [dead, backend.url, other.url] });
      await waitFor(() => conn!.status === 'ready', 3000, 'connected to the second URL');
      expect(conn!.url).toBe(backend.url);
      for (let seq = 0; seq < 3; seq++) { buffer.push(fakeSample(seq, BOOT)); conn!.notify(); }
      await waitFor(() => backend.stored.size === 3 && buffer.size === 0, 3000, 'samples on the first live instance');
      // That instance dies: samples taken meanwhile stay buffered and reach the next one.
      await backend.stop();
      for (let seq = 3; seq < 6; seq++) buffer.push(fakeSample(seq, BOOT));
      await waitFor(() => conn!.status === 'ready' && conn!.url === other.url, 5000, 'failed over to the third URL');
      await waitFor(() => buffer.size === 0, 3000, 'the backlog delivered');
      expect(other.seqs(BOOT)).toEqual([3, 4, 5]);
      expect([...backend.stored.keys()].length + other.seqs(BOOT).length).toBe(6);
    } finally {
      await other.stop().catch(() => undefined);
    }
  });

  it('sends hello only after auth_success, and samples only after hello', async () => {
    backend.authDelayMs = 300;
    buffer.push(fakeSample(0, BOOT));
    connect();
    await waitFor(() => backend.stored.size === 1, 3000, 'sample stored');
    expect(backend.events).toEqual(['connection', 'auth_success', 'hello', 'metrics']);
    expect(backend.hellos).toEqual([hello]);
    expect(conn!.status).toBe('ready');
  });

  it('a {ok:true} ack removes the sample from the buffer; live samples go one by one with metrics', async () => {
    connect();
    await waitFor(() => conn!.status === 'ready');
    for (let i = 0; i < 3; i++) {
      buffer.push(fakeSample(i, BOOT));
      conn!.notify();
      await waitFor(() => buffer.size === 0, 2000, `ack of ${i}`);
    }
    expect(backend.singles.map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(backend.batches).toEqual([]);
  });

  it('an {ok:false} ack drops the sample with a log line and it is never resent', async () => {
    backend.refuse = (s) => s.seq === 1;
    connect();
    await waitFor(() => conn!.status === 'ready');
    for (let i = 0; i < 3; i++) {
      buffer.push(fakeSample(i, BOOT));
      conn!.notify();
      await waitFor(() => buffer.size === 0, 10_000);
    }
    // Marker: one more sample; the agent sends oldest first, so a resend of 1 would come before it.
    buffer.push(fakeSample(3, BOOT));
    conn!.notify();
    await waitFor(() => backend.stored.has(`${BOOT}#3`), 10_000, 'the marker sample');
    expect(backend.singles.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(backend.seqs(BOOT)).toEqual([0, 2, 3]);
    expect(logs.filter((l) => l.msg === 'backend refused a sample; dropped, never resent')).toEqual([
      expect.objectContaining({ level: 'warn', seq: 1, bootId: BOOT, error: 'invalid: refused by test' }),
    ]);
  });

  it('no ack in time: the sample stays buffered and is resent until acknowledged', async () => {
    let refusedOnce = false;
    backend.dropAck = (s) => s.seq === 0 && !refusedOnce && (refusedOnce = true);
    connect();
    await waitFor(() => conn!.status === 'ready');
    buffer.push(fakeSample(0, BOOT));
    conn!.notify();
    // Sent once, never acknowledged: it stays buffered, so it is sent again after the ack timeout.
    await waitFor(() => buffer.size === 0, 10_000, 'resend after ack timeout');
    expect(backend.singles.map((s) => s.seq)).toEqual([0, 0]);
    expect(backend.seqs(BOOT)).toEqual([0]);
  });

  it('a refused batch is resent one sample at a time: the valid ones land, only the refused one is dropped', async () => {
    backend.refuseBatch = () => true;
    backend.refuse = (s) => s.seq === 2;
    for (let i = 0; i < 5; i++) buffer.push(fakeSample(i, BOOT));
    connect({ batchSize: 5 });
    await waitFor(() => buffer.size === 0, 10_000, 'the backlog handled');
    expect(backend.batches.map((b) => b.map((s) => s.seq))).toEqual([[0, 1, 2, 3, 4]]);
    expect(backend.singles.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]); // in order, each once
    expect(backend.seqs(BOOT)).toEqual([0, 1, 3, 4]);
    expect(logs.filter((l) => l.level === 'warn').map((l) => [l.msg, l.count ?? l.seq])).toEqual([
      ['backend refused a batch; resending its samples one by one', 5],
      ['backend refused a sample; dropped, never resent', 2],
    ]);
    // Marker: a later sample goes out alone; nothing refused before it is sent again.
    buffer.push(fakeSample(5, BOOT));
    conn!.notify();
    await waitFor(() => backend.stored.has(`${BOOT}#5`), 10_000, 'the marker sample');
    expect(backend.singles.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(backend.batches).toHaveLength(1);
  });

  it('backlog is replayed oldest first with metricsBatch in chunks', async () => {
    for (let i = 0; i < 12; i++) buffer.push(fakeSample(i, BOOT));
    connect({ batchSize: 5 });
    await waitFor(() => buffer.size === 0, 3000);
    expect(backend.batches.map((b) => b.map((s) => s.seq))).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]);
    expect(backend.seqs(BOOT)).toEqual([...Array(12).keys()]);
  });

  it('batches also stay under the frame size limit (big samples are split into more chunks)', async () => {
    const big = (i: number) => ({ ...fakeSample(i, BOOT), processes: Array.from({ length: 20 }, (_, p) => ({ pid: p, name: 'x'.repeat(200), user: 'root', cpuPercent: 1, memBytes: 1 })) });
    for (let i = 0; i < 10; i++) buffer.push(big(i));
    const one = Buffer.byteLength(JSON.stringify(big(0)));
    connect({ maxBatchBytes: one * 4 });
    await waitFor(() => buffer.size === 0, 3000);
    expect(backend.batches.map((b) => b.length)).toEqual([3, 3, 3]);
    expect(backend.singles.map((s) => s.seq)).toEqual([9]);
    expect(backend.seqs(BOOT)).toEqual([...Array(10).keys()]);
    expect(MAX_FRAME_BYTES).toBe(AGENT_LIMITS.maxFrameBytes);
  });

  it('unauthorized: one clear log line, slow retries (no hammering), connects once the key is valid', async () => {
    backend.validKeys.clear();
    connect();
    await sleep(1800);
    const failed = backend.attempts.filter((a) => !a.ok);
    // first attempt at t≈0, then one every 700 ms: 3 attempts in 1.8 s (fast backoff would make ~10)
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < failed.length; i++) expect(failed[i].at - failed[i - 1].at).toBeGreaterThanOrEqual(650);
    const authLines = logs.filter((l) => String(l.msg).includes('rejected the API key'));
    expect(authLines).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(KEY);
    backend.validKeys.add(KEY); // key re-activated
    // 'ready' is set as the hello is sent: wait for the backend to have it, then check it came once
    await waitFor(() => conn!.status === 'ready' && backend.hellos.length > 0, 2000, 'connect after key re-activation');
    await sleep(100);
    expect(backend.hellos).toHaveLength(1);
  });

  it('logs disconnect_reason from the server, then reconnects with backoff', async () => {
    connect();
    await waitFor(() => conn!.status === 'ready');
    const s = backend.sockets[0];
    s.emit('disconnect_reason', { reason: 'replaced' });
    await sleep(50);
    s.disconnect(true);
    await waitFor(() => backend.hellos.length === 2, 3000, 'reconnect');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'backend is disconnecting this agent', reason: 'replaced' }));
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'disconnected from the backend', reason: 'io server disconnect' }));
  });

  it('answers command, docker and terminal_open with {ok:false, error:"disabled"} while the capability is off', async () => {
    connect();
    await waitFor(() => conn!.status === 'ready');
    const s = backend.sockets[0];
    await expect(s.timeout(1000).emitWithAck('command', { commandId: 'c1', command: 'uptime', timeoutSec: 5 })).resolves.toEqual({ ok: false, error: 'disabled' });
    await expect(s.timeout(1000).emitWithAck('docker', { requestId: 'r1', action: 'list' })).resolves.toEqual({ ok: false, error: 'disabled' });
    const terminal = await new Promise((resolve) => s.emit('terminal_open', { sessionId: 't1', cols: 80, rows: 24 }, resolve));
    expect(terminal).toEqual({ ok: false, error: 'disabled' });
  });

  it('backoff: unreachable backend is retried with growing delays capped at the max', async () => {
    await backend.stop();
    connect({ backoffMinMs: 100, backoffMaxMs: 400 });
    await sleep(1500);
    const delays = logs.filter((l) => l.msg === 'cannot connect to the backend').map((l) => l.retryInMs as number);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(delays.length).toBeLessThanOrEqual(8);
    delays.forEach((d) => expect(d).toBeGreaterThanOrEqual(100));
    delays.forEach((d) => expect(d).toBeLessThanOrEqual(400));
  });
});
