import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  type AgentClientToServerEvents, type AgentServerToClientEvents, type AuthSuccess, type HelloFrame,
  type MetricsAck, type MetricsBatchAck, type MetricsSample,
} from '@chatops/protocol';

/** A socket as the real agent holds it (typed both ways by libs/protocol). */
export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

/** A simulated agent connection plus what the server told it. */
export interface TestAgent {
  socket: AgentSocket;
  auth: AuthSuccess;
  /** Reasons received through `disconnect_reason`. */
  reasons: string[];
  /** Set once the socket disconnected, with socket.io's reason. */
  disconnected: () => string | null;
  close: () => void;
}

/** Opens a raw socket to `/agents` without waiting for anything (no reconnection). */
export function openAgentSocket(baseUrl: string, apiKey: unknown): AgentSocket {
  return io(`${baseUrl}${AGENT_NAMESPACE}`, {
    auth: { apiKey },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
  }) as AgentSocket;
}

/** Connects and resolves on `auth_success`; rejects with the connect_error message otherwise. */
export function connectAgent(baseUrl: string, apiKey: string): Promise<TestAgent> {
  const socket = openAgentSocket(baseUrl, apiKey);
  const reasons: string[] = [];
  let disconnectReason: string | null = null;
  socket.on('disconnect_reason', ({ reason }) => reasons.push(reason));
  socket.on('disconnect', (reason) => { disconnectReason = reason; });
  return new Promise<TestAgent>((resolve, reject) => {
    // Generous: on a loaded 2-core machine a burst of handshakes (each a key lookup) can queue for seconds.
    const timer = setTimeout(() => { socket.close(); reject(new Error('no auth_success within 30 s')); }, 30_000);
    socket.once('connect_error', (err) => { clearTimeout(timer); socket.close(); reject(err); });
    socket.once('auth_success', (auth) => {
      clearTimeout(timer);
      resolve({ socket, auth, reasons, disconnected: () => disconnectReason, close: () => socket.close() });
    });
  });
}

/** Connects with a key that should be refused; resolves with the connect_error message. */
export function expectConnectError(baseUrl: string, apiKey: unknown): Promise<string> {
  const socket = openAgentSocket(baseUrl, apiKey);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { socket.close(); reject(new Error('neither connect_error nor auth_success within 30 s')); }, 30_000);
    socket.once('connect_error', (err) => { clearTimeout(timer); socket.close(); resolve(err.message); });
    socket.once('auth_success', () => { clearTimeout(timer); socket.close(); reject(new Error('unexpected auth_success')); });
  });
}

export function makeHello(over: Partial<HelloFrame> = {}): HelloFrame {
  return {
    agentVersion: '0.1.0-test',
    hostname: 'test-host',
    os: 'linux Debian 12',
    arch: 'x64',
    bootId: randomUUID(),
    intervalSec: 5,
    capabilities: { exec: false, docker: false, terminal: false },
    ...over,
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A valid sample per libs/protocol; `over` replaces top-level sections (shallow merge inside them). */
export function makeSample(seq: number, bootId: string, over: DeepPartial<MetricsSample> & Record<string, unknown> = {}): MetricsSample {
  const base: MetricsSample = {
    seq,
    bootId,
    timestamp: new Date().toISOString(),
    cpu: { percent: 12.5, perCore: [10, 15], load: [0.5, 0.4, 0.3], cores: 2 },
    memory: { totalBytes: 8e9, usedBytes: 2e9, availableBytes: 6e9, percent: 25, swapTotalBytes: 1e9, swapUsedBytes: 1e8 },
    disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 4e10, percent: 40 }],
    network: [{ iface: 'eth0', rxBytes: 1e6, txBytes: 2e6, rxBps: 1000, txBps: 2000 }],
    diskIo: { readBps: 100, writeBps: 200 },
    uptimeSec: 1234,
  };
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    out[k] = v && cur && typeof v === 'object' && typeof cur === 'object' && !Array.isArray(v) && !Array.isArray(cur) ? { ...cur, ...v } : v;
  }
  return out as MetricsSample;
}

/** Emits with an acknowledgement; rejects on timeout (the server chose not to answer). */
export function sendMetrics(socket: AgentSocket, sample: unknown, timeoutMs = 5000): Promise<MetricsAck> {
  return (socket.timeout(timeoutMs) as any).emitWithAck('metrics', sample);
}

export function sendBatch(socket: AgentSocket, samples: unknown[], timeoutMs = 5000): Promise<MetricsBatchAck> {
  return (socket.timeout(timeoutMs) as any).emitWithAck('metricsBatch', { samples });
}

/** Any event, any payload: for hostile-input tests. */
export function emitRaw<T = unknown>(socket: AgentSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<T> {
  return (socket.timeout(timeoutMs) as any).emitWithAck(event, payload);
}

/** A server with an API key, created through the REST API as `user`. */
export async function provisionServer(t: import('./app').TestApp, user: import('./app').TestUser, name?: string) {
  const { createServer, createApiKey } = await import('./app');
  const server = await createServer(t, user, name);
  const key = await createApiKey(t, user, server.id);
  return { server, key };
}
