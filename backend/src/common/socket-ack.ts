/** A Socket.IO acknowledgement callback, if the client asked for one. */
export type Ack<T> = ((res: T) => void) | undefined;

/** The acknowledgement callback of a raw handler's arguments (the last one, when it is a function). */
export function ackOf<T>(args: unknown[]): Ack<T> {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (res: T) => void) : undefined;
}

/**
 * Counts a socket's incoming events per second; `onFlood` runs (and the event is dropped) once
 * more than `maxPerSecond` arrive within a second. Returns true for events that may proceed.
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
      onFlood();
      return false;
    }
    return true;
  };
}
