/**
 * Server → agent requests, wired to the executors for one connection. Every request is answered
 * so the backend never waits for a timeout: a capability that is switched off answers
 * `{ok:false, error:"disabled"}` (the contract's wording), Docker included when the agent found no
 * engine at start. Returns the function that detaches the connection: its commands, terminals and
 * followed container logs end with it.
 */
import type { Socket } from 'socket.io-client';
import type { AgentClientToServerEvents, AgentServerToClientEvents } from '@chatops/protocol';
import type { Logger } from '../log';
import type { CommandExecutor, CommandOwner } from './command-executor';
import type { DockerExecutor, DockerOwner } from './docker-executor';
import type { PtyExecutor, PtyOwner } from './pty-executor';
import { socketBacklog } from './socket-backlog';

export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

export interface Capabilities { exec: boolean; docker: boolean; terminal: boolean; dockerReadOnly: boolean }

/** The executors of switched-on capabilities (null: off). */
export interface Executors {
  commands: CommandExecutor | null;
  terminals: PtyExecutor | null;
  /** Present when the Docker Engine answered at start. */
  docker?: DockerExecutor | null;
}

export const NO_EXECUTORS: Executors = { commands: null, terminals: null, docker: null };

/**
 * Followed-log chunks are dropped (and counted) rather than queued while this much the agent wrote
 * is still unsent: a slow link must not grow the agent's memory.
 */
export const DOCKER_LOGS_MAX_BACKLOG_BYTES = 2 * 1024 * 1024;

export function registerRequestHandlers(
  socket: AgentSocket, caps: () => Capabilities, log: Logger, executors: Executors = NO_EXECUTORS,
): () => void {
  const { commands, terminals } = executors;
  const docker = executors.docker ?? null;
  /** A bug in a handler is logged (and the request refused) instead of crashing the agent. */
  const guard = <A extends unknown[]>(event: string, handler: (...args: A) => void) => (...args: A): void => {
    try {
      handler(...args);
    } catch (err) {
      log.error('request handler failed', { event, error: (err as Error).message });
      const ack = args[1];
      if (typeof ack === 'function') {
        try {
          ack({ ok: false, error: 'internal', message: 'the agent failed to handle this request' });
        } catch {
          // already answered
        }
      }
    }
  };
  const commandOwner: CommandOwner = {
    output: (chunk) => {
      if (socket.connected) socket.emit('command_output', chunk);
    },
  };
  const ptyOwner: PtyOwner = {
    output: (frame) => {
      if (socket.connected) socket.emit('terminal_output', frame);
    },
    exit: (frame) => {
      if (socket.connected) socket.emit('terminal_exit', frame);
    },
    backlog: () => socketBacklog(socket),
  };

  socket.on('command', guard('command', (req, ack) => {
    if (typeof ack !== 'function') {
      log.warn('command request without an acknowledgement ignored', { commandId: idOf(req, 'commandId') });
      return;
    }
    if (!commands) {
      log.info('command request refused', { commandId: idOf(req, 'commandId'), reason: 'disabled' });
      return ack({ ok: false, error: 'disabled' });
    }
    commands.handle(commandOwner, req, ack);
  }));

  const dockerOwner: DockerOwner = {
    logs: (chunk) => {
      if (!socket.connected) return true; // nobody to tell; detach() stops the stream
      if (socketBacklog(socket) > DOCKER_LOGS_MAX_BACKLOG_BYTES) return false;
      socket.emit('container_logs', chunk);
      return true;
    },
    logsEnd: (end) => {
      if (socket.connected) socket.emit('container_logs_end', end);
    },
    event: (event) => {
      if (socket.connected) socket.emit('container_event', event);
    },
  };
  docker?.attach(dockerOwner);

  socket.on('docker', guard('docker', (req, ack) => {
    if (typeof ack !== 'function') {
      log.warn('docker request without an acknowledgement ignored', { requestId: idOf(req, 'requestId') });
      return;
    }
    if (!docker) {
      log.info('docker request refused', { requestId: idOf(req, 'requestId'), action: String(req?.action ?? '').slice(0, 32), reason: 'disabled' });
      return ack({ ok: false, error: 'disabled' });
    }
    docker.handle(dockerOwner, req, ack);
  }));
  socket.on('docker_logs_stop', guard('docker_logs_stop', (frame) => docker?.stopStream(dockerOwner, frame)));

  socket.on('terminal_open', guard('terminal_open', (req, ack) => {
    if (typeof ack !== 'function') {
      // Nothing to refuse with: tell the backend the session is over before it began.
      socket.emit('terminal_exit', { sessionId: idOf(req, 'sessionId') ?? '', exitCode: null });
      return;
    }
    if (!terminals) {
      log.info('terminal request refused', { sessionId: idOf(req, 'sessionId'), reason: 'disabled' });
      return ack({ ok: false, error: 'disabled' });
    }
    terminals.open(ptyOwner, req, ack);
  }));
  // Frames for unknown sessions (or with the terminal off) are ignored.
  socket.on('terminal_input', guard('terminal_input', (frame) => terminals?.input(ptyOwner, frame)));
  socket.on('terminal_resize', guard('terminal_resize', (frame) => terminals?.resize(ptyOwner, frame)));
  socket.on('terminal_close', guard('terminal_close', (frame) => terminals?.close(ptyOwner, frame)));

  return () => {
    commands?.detach(commandOwner);
    terminals?.detach(ptyOwner);
    docker?.detach(dockerOwner);
  };
}

function idOf(req: unknown, key: string): string | undefined {
  const v = typeof req === 'object' && req !== null ? (req as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v.slice(0, 128) : undefined;
}
