/**
 * A real in-process Socket.IO server with an `/agents` namespace that behaves like the contract:
 * handshake middleware rejects unknown keys with Error('unauthorized'), `auth_success` on connect,
 * `metrics` / `metricsBatch` validated with the protocol schema, stored once per (bootId, seq), acked.
 * Hooks make it refuse a sample, refuse a whole batch, or never acknowledge.
 * Frames above the backend's limit (AGENT_LIMITS.maxFrameBytes) close the connection, as there.
 * The agent's stream events (command_output, terminal_output, terminal_exit) are validated with
 * the backend's schemas and kept in arrival order; invalid ones land in `invalidStreams`.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  AGENT_LIMITS, AGENT_NAMESPACE, agentStreamSchemas, helloSchema, metricsSampleSchema, type AgentClientToServerEvents,
  type AgentServerToClientEvents, type CommandOutputChunk, type HelloFrame, type MetricsSample, type TerminalData,
  type TerminalExit,
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
  readonly commandOutput: CommandOutputChunk[] = [];
  readonly terminalOutput: TerminalData[] = [];
  readonly terminalExits: TerminalExit[] = [];
  readonly invalidStreams: Array<{ event: string; payload: unknown }> = [];
  /** Hooks to change behaviour per test. */
  refuse: (s: MetricsSample) => boolean = () => false;
  /** Refuses a whole metricsBatch frame (`{ok:false}`, nothing stored), as the backend does for a frame it rejects as a whole. */
  refuseBatch: (samples: MetricsSample[]) => boolean = () => false;
  dropAck: (s: MetricsSample) => boolean = () => false;
  authDelayMs = 0;

  async start(port = 0): Promise<void> {
    this.http = createServer();
    this.io = new Server(this.http, { maxHttpBufferSize: AGENT_LIMITS.maxFrameBytes });
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
      const keep = <E extends 'command_output' | 'terminal_output' | 'terminal_exit'>(event: E, into: Array<unknown>) => (payload: unknown) => {
        const r = agentStreamSchemas[event].safeParse(payload);
        if (r.success) into.push(r.data);
        else this.invalidStreams.push({ event, payload });
      };
      socket.on('command_output', keep('command_output', this.commandOutput));
      socket.on('terminal_output', keep('terminal_output', this.terminalOutput));
      socket.on('terminal_exit', keep('terminal_exit', this.terminalExits));
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

  /** Everything a command streamed on one stream, in order. */
  streamed(commandId: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    return this.commandOutput.filter((c) => c.commandId === commandId && c.stream === stream).map((c) => c.data).join('');
  }

  /** Everything a terminal session printed, in order. */
  screen(sessionId: string): string {
    return this.terminalOutput.filter((t) => t.sessionId === sessionId).map((t) => t.data).join('');
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
