import { AppError } from '../common/errors';

/**
 * "The database is unavailable" as opposed to "this request is wrong" or "a bug": PostgreSQL is
 * stopped, restarting, frozen, unreachable or out of connections. Recognised once here, answered by
 * the global filter as 503 with Retry-After, by socket handlers as `unavailable` (or no ack).
 */

/** Socket-level failures reaching the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up / shutting down), 57014 query_canceled (statement timeout),
 * class 53 (insufficient resources: too many connections, out of memory, disk full).
 */
const SQLSTATE = /^(08...|57P0[123]|57014|53...)$/;

/** node-postgres, pg-pool and TypeORM messages for a connection that failed, timed out or was lost. */
const MESSAGES = [
  /^Connection terminated/, // unexpectedly / due to connection timeout
  /^Query read timeout$/, // query_timeout: the server did not answer
  /^timeout exceeded when trying to connect$/, // every pooled connection busy past connectionTimeoutMillis
  /is not queryable$/, // a client that already failed or was closed
  /^Cannot use a pool after calling end on the pool$/,
  /^Driver not Connected$/,
];
const TYPEORM_NAMES = new Set(['ConnectionIsNotSetError', 'CannotExecuteNotConnectedError']);

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  if (err instanceof AppError) return err.code === DATABASE_UNAVAILABLE;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; severity?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  // A FATAL or PANIC ends the session: refused at connect (database not accepting connections,
  // authentication), terminated by an administrator or a crash. Never the request's fault.
  if (e.severity === 'FATAL' || e.severity === 'PANIC') return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  if (typeof e.name === 'string' && TYPEORM_NAMES.has(e.name)) return true;
  // TypeORM's QueryFailedError wraps the driver's error; Node wraps causes and AggregateErrors.
  const inner = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((i) => i !== err && isDatabaseUnavailable(i, depth + 1));
}

export const DATABASE_UNAVAILABLE = 'database.unavailable';
/** Seconds a client is told to wait before retrying (the Retry-After header). */
export const DATABASE_RETRY_AFTER_SEC = 5;

export const databaseUnavailable = () =>
  new AppError(503, DATABASE_UNAVAILABLE, 'The database is unavailable right now; retry in a few seconds');

/** A short reason for logs (never SQL or parameters). */
export function unavailableReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  const message = e?.driverError?.message ?? e?.message;
  return [typeof code === 'string' ? code : null, typeof message === 'string' ? message.slice(0, 200) : null].filter(Boolean).join(' ');
}
