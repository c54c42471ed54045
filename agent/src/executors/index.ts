/**
 * Server → agent requests (command, docker, terminal). Execution itself arrives in a later issue;
 * today every request is answered so the backend never waits for a timeout:
 * a capability that is switched off answers {ok:false, error:"disabled"} (the contract's wording),
 * one that is switched on but not built yet answers {ok:false, error:"not_implemented"}.
 * Future layout: executors/command-executor.ts, docker-executor.ts, pty-executor.ts, each
 * registering its events here.
 */
import type { Socket } from 'socket.io-client';
import type { AgentClientToServerEvents, AgentServerToClientEvents } from '@chatops/protocol';
import type { Logger } from '../log';

export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

export interface Capabilities { exec: boolean; docker: boolean; terminal: boolean }

export function registerRequestHandlers(socket: AgentSocket, caps: () => Capabilities, log: Logger): void {
  const refusal = (on: boolean) => ({ ok: false as const, error: on ? 'not_implemented' : 'disabled' });

  socket.on('command', (req, ack) => {
    log.info('command request refused', { commandId: req?.commandId, reason: refusal(caps().exec).error });
    if (typeof ack === 'function') ack(refusal(caps().exec));
  });
  socket.on('docker', (req, ack) => {
    log.info('docker request refused', { requestId: req?.requestId, action: req?.action, reason: refusal(caps().docker).error });
    if (typeof ack === 'function') ack(refusal(caps().docker));
  });
  socket.on('terminal_open', (req, ack) => {
    log.info('terminal request refused', { sessionId: req?.sessionId, reason: refusal(caps().terminal).error });
    if (typeof ack === 'function') ack(refusal(caps().terminal));
    else socket.emit('terminal_exit', { sessionId: String(req?.sessionId ?? ''), exitCode: null });
  });
  // No sessions can exist yet: input/resize/close for unknown sessions are ignored.
  socket.on('terminal_input', () => undefined);
  socket.on('terminal_resize', () => undefined);
  socket.on('terminal_close', () => undefined);
}
