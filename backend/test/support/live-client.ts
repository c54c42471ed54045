import { io, type Socket } from 'socket.io-client';
import { LIVE_NAMESPACE, type LiveClientToServerEvents, type LiveServerToClientEvents } from '@chatops/protocol';

/** A browser's `/live` socket, typed as the dashboard's. */
export type LiveClient = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Connects to `/live` with an access token; resolves once connected (rejects on connect_error). */
export function connectLive(baseUrl: string, token: string): Promise<LiveClient> {
  const socket: LiveClient = io(`${baseUrl}${LIVE_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.close(); reject(err); });
  });
}

/** Collects every payload of one event, in arrival order. */
export function collect<E extends keyof LiveServerToClientEvents>(socket: LiveClient, event: E): Array<Parameters<LiveServerToClientEvents[E]>[0]> {
  const got: Array<Parameters<LiveServerToClientEvents[E]>[0]> = [];
  // socket.io-client's typed `on` cannot follow a generic event name; the signature above stays typed.
  (socket as unknown as { on(ev: string, fn: (p: unknown) => void): void }).on(event, (p) => got.push(p as Parameters<LiveServerToClientEvents[E]>[0]));
  return got;
}
