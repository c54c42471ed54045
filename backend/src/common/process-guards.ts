import type { EventEmitter } from 'node:events';

/** What the guards log through (Nest's Logger in main.ts). */
export interface GuardLogger {
  error(message: unknown, ...rest: unknown[]): void;
}

/** Errors logged with their stack per minute; beyond that, one summary line per minute. */
const MAX_LOGGED_PER_MINUTE = 20;

/**
 * The process-level policy for errors that escaped every handler (a timer, a library's event
 * callback, the Socket.IO Redis adapter answering another instance): **log and keep running**.
 * Node's default is to exit, which here would drop every agent and browser connection of the
 * instance, and the in-memory ingest buffer, for what is almost always one bad event: requests,
 * frames and jobs are independent, socket handlers are already guarded (socket-ack.ts
 * `handlerGuard`), and durable state is in PostgreSQL. Each one is logged at error level with its
 * kind and stack; a storm is summarised once a minute instead of flooding the log. Documented in
 * docs/security.md ("Failures").
 */
export function installProcessGuards(logger: GuardLogger, target: EventEmitter = process): { counts: { rejections: number; exceptions: number } } {
  const counts = { rejections: 0, exceptions: 0 };
  let windowStart = Date.now();
  let loggedInWindow = 0;
  let suppressed = 0;
  const report = (kind: 'unhandledRejection' | 'uncaughtException', err: unknown, origin?: string) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      if (suppressed) logger.error({ suppressed }, `${suppressed} more escaped errors in the last minute were not logged`);
      windowStart = now;
      loggedInWindow = 0;
      suppressed = 0;
    }
    if (++loggedInWindow > MAX_LOGGED_PER_MINUTE) {
      suppressed++;
      return;
    }
    logger.error({ err, kind, ...(origin ? { origin } : {}) }, `${kind === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception'} (logged; the process keeps running)`);
  };
  target.on('unhandledRejection', (reason: unknown) => {
    counts.rejections++;
    report('unhandledRejection', reason);
  });
  target.on('uncaughtException', (err: unknown, origin?: string) => {
    counts.exceptions++;
    report('uncaughtException', err, origin);
  });
  return { counts };
}
