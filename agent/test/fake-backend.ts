/**
 * A real in-process Socket.IO server with an `/agents` namespace that behaves like the contract:
 * handshake middleware rejects unknown keys with Error('unauthorized'), `auth_success` on connect,
 * `metrics` / `metricsBatch` validated with the protocol schema, stored once per (bootId, seq), acked.
 * Hooks make it refuse a sample, refuse a whole batch, or never acknowledge.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  AGENT_NAMESPACE, helloSchema, metricsSampleSchema, type AgentClientToServerEvents, type AgentServerToClientEvents,
  type HelloFrame, type MetricsSample,
} from '@chatops/protocol';

export type AgentServerSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents>;

export class FakeBackend {
  http!: HttpServer;
  io!: Server;
  ns!: Namespace<AgentClientToServerEvents, AgentServerToClientEvents>;
  port = 0;
  readonly validKeys = new Set<string>();
  /** Every handshake attempt, with whether it was accepted. */
  readonly attempts: Array<{ at: number; ok: boolean }> = [];
  readonly hellos: HelloFrame[] = [];
  /** Event names in arrival order per connection (auth_success is marked when sent). */
  readonly events: string[] = [];
  readonly stored = new Map<string, MetricsSample>();
  readonly singles: MetricsSample[] = [];
  readonly batches: MetricsSample[][] = [];
  readonly sockets: AgentServerSocket[] = [];
  /** Hooks to change behaviour per test. */
  refuse: (s: MetricsSample) => boolean = () => false;
  /** Refuses a whole metricsBatch frame (`{ok:false}`, nothing stored), as the backend does for a frame it rejects as a whole. */
  refuseBatch: (samples: MetricsSample[]) => boolean = () => false;
  dropAck: (s: MetricsSample) => boolean = () => false;
  authDelayMs = 0;

  async start(port = 0): Promise<void> {
    this.http = createServer();
    this.io = new Server(this.http);
    this.ns = this.io.of(AGENT_NAMESPACE);
    this.ns.use((socket, next) => {
      const ok = this.validKeys.has(socket.handshake.auth?.apiKey);
      this.attempts.push({ at: Date.now(), ok });
      next(ok ? undefined : new Error('unauthorized'));
    });
    this.ns.on('connection', (socket: AgentServerSocket) => {
      this.sockets.push(socket);
      this.events.push('connection');
      socket.onAny((event) => this.events.push(event));
      socket.on('hello', (h) => this.hellos.push(helloSchema.parse(h)));
      socket.on('metrics', (raw, ack) => {
        const r = metricsSampleSchema.safeParse(raw);
        if (!r.success) return ack({ ok: false, error: 'invalid' });
        const s = r.data;
        this.singles.push(s);
        if (this.refuse(s)) return ack({ ok: false, error: 'invalid: refused by test', seq: s.seq });
        if (this.dropAck(s)) return; // never acknowledged (backend slow / database down)
        this.stored.set(`${s.bootId}#${s.seq}`, s);
        ack({ ok: true, seq: s.seq });
      });
      socket.on('metricsBatch', (batch, ack) => {
        const samples = batch.samples.map((x) => metricsSampleSchema.parse(x));
        this.batches.push(samples);
        if (this.refuseBatch(samples)) return ack({ ok: false, error: 'invalid frame: batch refused by test' });
        let stored = 0;
        for (const s of samples) {
          const k = `${s.bootId}#${s.seq}`;
          if (!this.stored.has(k)) stored++;
          this.stored.set(k, s);
        }
        ack({ ok: true, stored });
      });
      setTimeout(() => {
        this.events.push('auth_success');
        socket.emit('auth_success', { serverId: '6a1c3f0e-0000-4000-8000-000000000001', serverName: 'test' });
      }, this.authDelayMs);
    });
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stop accepting and drop every agent (the backend "dies"). */
  async stop(): Promise<void> {
    if (!this.http.listening) return;
    this.io.disconnectSockets(true);
    const closed = new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
    this.sockets.length = 0;
  }

  seqs(bootId: string): number[] {
    return [...this.stored.values()].filter((s) => s.bootId === bootId).map((s) => s.seq).sort((a, b) => a - b);
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
