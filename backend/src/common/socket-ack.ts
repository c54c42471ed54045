/** A Socket.IO acknowledgement callback, if the client asked for one. */
export type Ack<T> = ((res: T) => void) | undefined;

/** The acknowledgement callback of a raw handler's arguments (the last one, when it is a function). */
export function ackOf<T>(args: unknown[]): Ack<T> {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as (res: T) => void) : undefined;
}
