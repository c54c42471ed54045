import type { Logger } from '@nestjs/common';

/** A Socket.IO acknowledgement callback, if the client asked for one. */
export type Ack<T> = ((res: T) => void) | undefined;

/** The acknowledgement callback of a raw handler's arguments (the last one, when it is a function). */
export function ackOf<T>(args: unknown[]): Ack<T> {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (res: T) => void) : undefined;
}

/**
 * Counts a socket's incoming events per second; once more than `maxPerSecond` arrive within a
 * second the event is dropped, and `onFlood` runs once for that burst (not once per dropped
 * event: a flood is thousands of them, and it usually ends in a disconnect anyway). Returns true
 * for events that may proceed.
 */
export function floodGuard(maxPerSecond: number, onFlood: () => void): () => boolean {
  let windowStart = Date.now();
  let count = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      count = 0;
    }
    if (++count > maxPerSecond) {
      if (count === maxPerSecond + 1) onFlood();
      return false;
    }
    return true;
  };
}

/**
 * Wraps socket event handlers so that an error one throws or rejects with is logged with the
 * socket's context (socket id, user or server id, event name) instead of escaping: Socket.IO calls
 * handlers on a later tick, where a throw would be an uncaught exception and a rejection an
 * unhandled one (see process-guards.ts for what happens to those).
 */
export function handlerGuard(logger: Logger, context: () => Record<string, unknown>) {
  const report = (event: string, err: unknown) =>
    logger.error({ err, event, ...context() }, `Socket handler for "${event}" failed`);
  return <A extends unknown[]>(event: string, handler: (...args: A) => unknown) =>
    (...args: A): void => {
      try {
        const result = handler(...args);
        if (result instanceof Promise) result.catch((err: unknown) => report(event, err));
      } catch (err) {
        report(event, err);
      }
    };
}

/**
 * Reads a credential from a socket's handshake `auth` and removes it there. Socket.IO keeps the
 * handshake for the whole connection, and with the Redis adapter `fetchSockets()` run on another
 * instance sends the handshake of each matching socket over Redis: a browser's access token or an
 * agent's API key would otherwise stay in memory for the connection's life and travel with it.
 */
export function takeHandshakeCredential(socket: { handshake: { auth: unknown } }, field: string): unknown {
  const auth = socket.handshake.auth;
  if (!auth || typeof auth !== 'object') return undefined;
  const value = (auth as Record<string, unknown>)[field];
  delete (auth as Record<string, unknown>)[field];
  return value;
}
