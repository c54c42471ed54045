/**
 * An agent connection with real executors against the fake backend: specs send `command` and
 * `terminal_*` frames from the server side of a real Socket.IO connection, exactly as the backend
 * does, and read what the agent streams back from the FakeBackend's arrays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelloFrame } from '@chatops/protocol';
import { SampleBuffer } from '../src/buffer/sample-buffer';
import { AgentConnection } from '../src/connection/agent-connection';
import type { Executors } from '../src/executors';
import { createLogger, type Logger } from '../src/log';
import { FakeBackend, waitFor, type AgentServerSocket } from './fake-backend';

const KEY = 'cok_exec-harness-key';

export class ExecHarness {
  readonly backend = new FakeBackend();
  readonly logs: Array<Record<string, unknown>> = [];
  readonly logger: Logger = createLogger({ level: 'debug', json: true, write: (l) => this.logs.push(JSON.parse(l)) });
  connection: AgentConnection | null = null;
  private dir = '';
  private buffer: SampleBuffer | null = null;

  async start(): Promise<void> {
    this.backend.validKeys.add(KEY);
    await this.backend.start();
    this.dir = mkdtempSync(join(tmpdir(), 'agent-exec-'));
    this.buffer = new SampleBuffer({ file: join(this.dir, 'buf.jsonl'), maxSamples: 100, flushDelayMs: 50 });
  }

  /** Connects an agent with these executors; resolves with the server side of its socket. */
  async connect(executors: Executors): Promise<AgentServerSocket> {
    const before = this.backend.sockets.length;
    const capabilities = { exec: executors.commands !== null, docker: false, terminal: executors.terminals !== null, dockerReadOnly: false };
    const hello: HelloFrame = {
      agentVersion: '0.1.0', hostname: 'exec-01', os: 'Linux', arch: 'x64', bootId: '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f405162', intervalSec: 5,
      capabilities,
    };
    this.connection = new AgentConnection({
      url: this.backend.url, apiKey: KEY, buffer: this.buffer!, hello: () => hello,
      capabilities: () => capabilities, executors, logger: this.logger,
      backoffMinMs: 100, backoffMaxMs: 300, ackTimeoutMs: 2000,
    });
    this.connection.start();
    await waitFor(() => this.connection!.status === 'ready' && this.backend.sockets.length > before, 5000, 'agent connected');
    return this.backend.sockets[this.backend.sockets.length - 1];
  }

  /** The next socket after a reconnect. */
  async nextSocket(count: number): Promise<AgentServerSocket> {
    await waitFor(() => this.backend.sockets.length >= count && this.connection!.status === 'ready', 5000, 'agent reconnected');
    return this.backend.sockets[count - 1];
  }

  async stop(): Promise<void> {
    await this.connection?.stop();
    this.connection = null;
    this.buffer?.close();
    await this.backend.stop().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
