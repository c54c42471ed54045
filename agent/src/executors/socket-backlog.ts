/**
 * How many bytes the agent has written to its connection that the network has not taken yet.
 * socket.io-client hands every frame to the WebSocket at once, so on a slow link unsent output
 * piles up in memory; the terminal pauses its PTY while this is high. Read from the `ws`
 * WebSocket's standard `bufferedAmount` under engine.io's transport (not part of socket.io-client's
 * typed API, hence the narrowing; 0 when the transport is not a WebSocket).
 */
import type { Socket } from 'socket.io-client';

interface WithWebSocket { ws?: { bufferedAmount?: unknown } }

export function socketBacklog(socket: Socket): number {
  const transport = socket.io.engine?.transport as unknown as WithWebSocket | undefined;
  const amount = transport?.ws?.bufferedAmount;
  return typeof amount === 'number' && Number.isFinite(amount) ? amount : 0;
}
