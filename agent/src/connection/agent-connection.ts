/**
 * The agent's one Socket.IO connection to `/agents`: authenticates with the API key, says hello
 * after `auth_success`, and drains the sample buffer oldest first (a single sample with `metrics`,
 * a backlog with `metricsBatch` in chunks). Reconnects forever with backoff + jitter; a rejected
 * key is retried slowly and logged once. Socket.IO's own reconnection is off: this class owns it.
 */
import { EventEmitter } from 'node:events';
import { io } from 'socket.io-client';
import type { AGENT_NAMESPACE as ProtocolNamespace, HelloFrame, MetricsSample } from '@chatops/protocol';
import type { SampleBuffer } from '../buffer/sample-buffer';
import { NO_EXECUTORS, registerRequestHandlers, type AgentSocket, type Capabilities, type Executors } from '../executors';
import { MAX_FRAME_BYTES } from '../executors/limits';
import { silentLogger, type Logger } from '../log';
import { Backoff } from './backoff';
import { agentParser } from './json-parser';

/**
 * The protocol's constant, typed against it (tsc fails if it changes) but not imported at runtime:
 * importing @chatops/protocol's values would load zod (~10 MB RSS) for one string.
 */
const AGENT_NAMESPACE: typeof ProtocolNamespace = '/agents';
/** AGENT_LIMITS.maxFrameBytes of the protocol (a spec checks they agree): the largest frame the server takes. */
export { MAX_FRAME_BYTES };

export interface ConnectionOptions {
  url: string;
  /**
   * Several backend instances (`--url a,b,c`; default `[url]`): each attempt uses the next one
   * after a failed attempt or a lost connection, with the usual backoff. Unacknowledged samples stay
   * in the buffer and go to whichever instance answers; (server, boot, seq) makes a resend harmless.
   */
  urls?: string[];
  apiKey: string;
  buffer: SampleBuffer;
  hello: () => HelloFrame;
  /** Which capabilities are switched on (for answering requests). */
  capabilities: () => Capabilities;
  /** Command and terminal executors (absent: both off). What they run ends with the socket it came from. */
  executors?: Executors;
  logger?: Logger;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  unauthorizedRetryMs?: number;
  ackTimeoutMs?: number;
  /** Pause before retrying after an ack timeout (connection still up, backend slow). */
  ackRetryMs?: number;
  batchSize?: number;
  /** Upper bound for one metricsBatch frame (JSON bytes), below the server's frame limit. */
  maxBatchBytes?: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'ready' | 'waiting' | 'stopped';

export class AgentConnection extends EventEmitter {
  private socket: AgentSocket | null = null;
  private state: ConnectionState = 'idle';
  private retryTimer: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  /** The socket a pump loop is running for (a stale loop on a dead socket must not block a new one). */
  private pumpingFor: AgentSocket | null = null;
  private unauthorizedLogged = false;
  /** Ends what the current socket's requests started (its commands and terminals). */
  private detachRequests: (() => void) | null = null;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly o: Required<Omit<ConnectionOptions, 'logger'>>;
  /** Index into `o.urls` of the instance the current (or next) attempt goes to. */
  private urlIndex = 0;

  constructor(opts: ConnectionOptions) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.o = {
      backoffMinMs: 1000,
      backoffMaxMs: 30_000,
      unauthorizedRetryMs: 60_000,
      ackTimeoutMs: 10_000,
      ackRetryMs: 5000,
      batchSize: 500,
      maxBatchBytes: Math.floor(MAX_FRAME_BYTES * 0.75),
      executors: NO_EXECUTORS,
      ...opts,
      urls: opts.urls?.length ? opts.urls : [opts.url],
    };
    this.backoff = new Backoff(this.o.backoffMinMs, this.o.backoffMaxMs);
  }

  get status(): ConnectionState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** A new sample is in the buffer: send it if we can. */
  notify(): void {
    void this.pump();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    for (const t of [this.retryTimer, this.pumpTimer, this.authTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.pumpTimer = this.authTimer = null;
    const s = this.socket;
    this.socket = null;
    this.endRequests();
    if (s) {
      s.removeAllListeners();
      s.disconnect();
    }
  }

  /** The socket is going away: what it started must not outlive it (no ack can reach anyone). */
  private endRequests(): void {
    const detach = this.detachRequests;
    this.detachRequests = null;
    detach?.();
  }

  /** The backend instance of the current attempt. */
  get url(): string {
    return this.o.urls[this.urlIndex % this.o.urls.length];
  }

  private connect(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    const socket: AgentSocket = io(this.url + AGENT_NAMESPACE, {
      auth: { apiKey: this.o.apiKey },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: this.o.ackTimeoutMs,
      // Stock wire format; skips socket.io-parser's hasBinary walk for the JSON-only events.
      parser: agentParser,
    });
    this.socket = socket;
    this.detachRequests = registerRequestHandlers(socket, this.o.capabilities, this.log, this.o.executors);

    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.state = 'connected';
      this.log.debug('connected; waiting for auth_success', { url: this.url });
      // A server that accepts the socket but never confirms is treated like a failed attempt.
      this.authTimer = setTimeout(() => {
        this.log.warn('no auth_success from the backend; reconnecting');
        this.drop(socket, this.backoff.next());
      }, this.o.ackTimeoutMs);
    });

    socket.on('auth_success', (info) => {
      if (this.socket !== socket) return;
      if (this.authTimer) clearTimeout(this.authTimer);
      this.authTimer = null;
      this.backoff.reset();
      this.unauthorizedLogged = false;
      socket.emit('hello', this.o.hello());
      this.state = 'ready';
      this.log.info('connected and authenticated', { serverId: info?.serverId, serverName: info?.serverName, buffered: this.o.buffer.size, ...(this.o.urls.length > 1 ? { url: this.url } : {}) });
      this.emit('ready');
      void this.pump();
    });

    socket.on('disconnect_reason', (p) => {
      this.log.warn('backend is disconnecting this agent', { reason: String(p?.reason ?? 'unknown').slice(0, 200) });
    });

    socket.on('connect_error', (err) => {
      if (this.socket !== socket) return;
      if (err.message === 'unauthorized') {
        if (!this.unauthorizedLogged) {
          this.log.error('backend rejected the API key (unauthorized); check the key, retrying slowly', {
            retryInSec: Math.round(this.o.unauthorizedRetryMs / 1000),
          });
          this.unauthorizedLogged = true;
        }
        this.emit('unauthorized');
        this.drop(socket, this.o.unauthorizedRetryMs);
        return;
      }
      const delay = this.backoff.next();
      this.log.warn('cannot connect to the backend', { error: err.message, retryInMs: delay, buffered: this.o.buffer.size });
      this.drop(socket, delay);
    });

    socket.on('disconnect', (reason) => {
      if (this.socket !== socket) return;
      const delay = this.backoff.next();
      this.log.warn('disconnected from the backend', { reason, retryInMs: delay });
      this.emit('disconnected', reason);
      this.drop(socket, delay);
    });
  }

  /** Forget this socket and schedule a fresh attempt. */
  private drop(socket: AgentSocket, delayMs: number): void {
    if (this.socket !== socket) return;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.socket = null;
    this.endRequests();
    socket.removeAllListeners();
    socket.disconnect();
    if (this.state === 'stopped') return;
    this.state = 'waiting';
    // The next attempt goes to the next instance (one URL: the same one again).
    this.urlIndex = (this.urlIndex + 1) % this.o.urls.length;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  private async pump(): Promise<void> {
    if (this.state !== 'ready' || !this.socket || this.pumpingFor === this.socket) return;
    const socket = this.socket;
    this.pumpingFor = socket;
    const buffer = this.o.buffer;
    try {
      while (this.state === 'ready' && this.socket === socket && buffer.size > 0) {
        const chunk = this.nextChunk();
        if (chunk.length === 1) await this.sendOne(socket, chunk[0]);
        else await this.sendBatch(socket, chunk);
      }
    } catch (err) {
      if (this.state === 'ready' && this.socket === socket) {
        this.log.warn('backend did not acknowledge in time; samples stay buffered', {
          error: (err as Error).message, buffered: buffer.size, retryInMs: this.o.ackRetryMs,
        });
        if (!this.pumpTimer) {
          this.pumpTimer = setTimeout(() => {
            this.pumpTimer = null;
            void this.pump();
          }, this.o.ackRetryMs);
        }
      }
    } finally {
      if (this.pumpingFor === socket) this.pumpingFor = null;
    }
  }

  /** Oldest samples first, at most batchSize of them and at most maxBatchBytes of JSON. */
  private nextChunk(): MetricsSample[] {
    const candidates = this.o.buffer.peek(this.o.batchSize);
    if (candidates.length <= 1) return candidates;
    let bytes = 32; // {"samples":[...]} framing
    let n = 0;
    for (const s of candidates) {
      bytes += Buffer.byteLength(JSON.stringify(s)) + 1;
      if (n > 0 && bytes > this.o.maxBatchBytes) break;
      n++;
    }
    return candidates.slice(0, n);
  }

  private async sendOne(socket: AgentSocket, sample: MetricsSample): Promise<void> {
    const res = await socket.timeout(this.o.ackTimeoutMs).emitWithAck('metrics', sample);
    this.o.buffer.remove([sample]);
    if (res && res.ok) {
      this.emit('acked', [sample]);
    } else {
      this.log.warn('backend refused a sample; dropped, never resent', {
        bootId: sample.bootId, seq: sample.seq, error: String((res as { error?: unknown })?.error ?? 'no ack body').slice(0, 300),
      });
      this.emit('refused', [sample]);
    }
  }

  private async sendBatch(socket: AgentSocket, samples: MetricsSample[]): Promise<void> {
    const res = await socket.timeout(this.o.ackTimeoutMs).emitWithAck('metricsBatch', { samples });
    if (res && res.ok) {
      this.o.buffer.remove(samples);
      this.log.info('replayed buffered samples', { sent: samples.length, stored: res.stored, rejected: res.rejected ?? 0, remaining: this.o.buffer.size });
      this.emit('acked', samples);
      return;
    }
    // The whole batch was refused: send one by one so valid samples still land and only the
    // invalid ones are dropped.
    this.log.warn('backend refused a batch; resending its samples one by one', { count: samples.length, error: String((res as { error?: unknown })?.error ?? '').slice(0, 300) });
    for (const s of samples) {
      if (this.state !== 'ready' || this.socket !== socket) return;
      await this.sendOne(socket, s);
    }
  }
}
