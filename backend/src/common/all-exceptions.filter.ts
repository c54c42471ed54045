import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import type { ErrorBody } from '@chatops/protocol';
import { sqlStateOf } from './db-errors';
import { DomainException } from './domain-exception';
import { DATABASE_RETRY_AFTER_SEC, DATABASE_UNAVAILABLE, databaseUnavailable, isDatabaseUnavailable, unavailableReason } from '../database/db-unavailable';
import { requestIdOf } from './request-id';

/**
 * Database errors caused by the values a client sent. Validation should refuse them first; this is
 * the backstop that keeps them from becoming 500s.
 */
const PG_CLIENT_ERRORS: Record<string, [number, string]> = {
  '22P02': [400, 'Invalid value'], // invalid_text_representation (e.g. a malformed uuid)
  '22003': [400, 'Number out of range'],
  '22001': [400, 'Value too long'],
  '22021': [400, 'Text contains a character the database cannot store'], // invalid byte sequence (e.g. NUL)
  '22P05': [400, 'Text contains a character the database cannot store'], // untranslatable character (e.g. \u0000 in jsonb)
  '23502': [400, 'A required value is missing'], // not_null_violation
  '23505': [409, 'Already exists'],
  '23503': [409, 'Referenced resource does not exist'],
};
/** Any other data exception (SQLSTATE class 22) is about a value too: 400, logged as a warning. */
const PG_DATA_EXCEPTION: [number, string] = [400, 'Invalid value'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrUndefined = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : undefined);

/** Ids only (never tokens or bodies) for the log line of a failed request: who, and which server. */
function requestContext(req: Request): { userId?: string; serverId?: string } {
  const user = (req as Request & { user?: { id?: unknown } }).user;
  const params = req.params ?? {};
  const body = req.body as { serverId?: unknown } | undefined;
  const query = req.query as { serverId?: unknown } | undefined;
  const serverId =
    uuidOrUndefined(params.serverId) ??
    (/^\/api\/v1\/servers\/[^/]+/.test(req.originalUrl ?? '') ? uuidOrUndefined(params.id) : undefined) ??
    uuidOrUndefined(body && typeof body === 'object' ? body.serverId : undefined) ??
    uuidOrUndefined(query?.serverId);
  return { userId: uuidOrUndefined(user?.id), serverId };
}

/** While the database is unavailable, one warning per this many ms (with a count), not one per request. */
const UNAVAILABLE_LOG_EVERY_MS = 10_000;

/**
 * The one place where errors become HTTP responses: every error body has the contract's shape
 * and the request id. An unavailable database (stopped, frozen, unreachable: see
 * database/db-unavailable.ts) is 503 with Retry-After, whichever layer met it. Unknown errors are
 * logged with their stack and answered with a bare 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private unavailableSince = 0;
  private unavailableCount = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const requestId = requestIdOf(req, res);
    const unavailable = isDatabaseUnavailable(exception);
    const body = this.toBody(unavailable ? databaseUnavailable() : exception, requestId);
    if (unavailable) {
      this.noteUnavailable(exception, requestId);
    } else if (body.statusCode >= 500) {
      this.logger.error(
        { err: loggableError(exception), requestId, method: req.method, path: req.originalUrl?.split('?')[0], ...requestContext(req) },
        'Unhandled error',
      );
    } else if (isDataException(exception) && !PG_CLIENT_ERRORS[sqlStateOf(exception)!]) {
      this.logger.warn(
        { code: sqlStateOf(exception), requestId, method: req.method, path: req.originalUrl?.split('?')[0], ...requestContext(req) },
        'The database refused a value; answered 400',
      );
    }
    if (res.headersSent) return;
    if (exception instanceof DomainException && exception.headers) res.set(exception.headers);
    if (body.code === DATABASE_UNAVAILABLE) res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SEC));
    res.status(body.statusCode).json(body);
  }

  private noteUnavailable(exception: unknown, requestId: string): void {
    this.unavailableCount++;
    if (Date.now() - this.unavailableSince < UNAVAILABLE_LOG_EVERY_MS) return;
    this.logger.warn(
      { reason: unavailableReason(exception), requestId, answered503: this.unavailableCount },
      'Database unavailable: answering 503 with Retry-After',
    );
    this.unavailableSince = Date.now();
    this.unavailableCount = 0;
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainException) {
      return this.body(exception.status, exception.message, requestId, exception.details, exception.code);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      let details: unknown[] | undefined;
      let code: string | undefined;
      if (typeof response === 'object' && response !== null) {
        const r = response as { message?: unknown; details?: unknown[]; code?: string };
        if (Array.isArray(r.message)) {
          details = r.message;
          message = 'Validation failed';
        } else if (typeof r.message === 'string') {
          message = r.message;
        }
        if (Array.isArray(r.details)) details = r.details;
        if (typeof r.code === 'string') code = r.code;
      } else if (typeof response === 'string') {
        message = response;
      }
      if (status === 429) message = 'Too many requests, slow down and retry later';
      return this.body(status, message, requestId, details, code);
    }
    const err = exception as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown };
    const status = Number(err?.status ?? err?.statusCode);
    if (Number.isInteger(status) && status >= 400 && status < 500) {
      // body-parser and similar middleware errors carry their own 4xx status
      const message =
        err.type === 'entity.too.large' ? 'Request body too large'
        : err.type === 'entity.parse.failed' ? 'Malformed JSON in request body'
        : STATUS_CODES[status] ?? 'Bad request';
      return this.body(status, message, requestId);
    }
    const sqlState = sqlStateOf(exception);
    if (sqlState && PG_CLIENT_ERRORS[sqlState]) {
      const [pgStatus, message] = PG_CLIENT_ERRORS[sqlState];
      return this.body(pgStatus, message, requestId);
    }
    if (isDataException(exception)) return this.body(PG_DATA_EXCEPTION[0], PG_DATA_EXCEPTION[1], requestId);
    return this.body(500, 'Internal server error', requestId);
  }

  private body(statusCode: number, message: string, requestId: string, details?: unknown[], code?: string): ErrorBody {
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message,
      ...(details ? { details } : {}),
      ...(code ? { code } : {}),
      requestId,
    };
  }
}

/** A PostgreSQL data exception (SQLSTATE class 22), from node-postgres or TypeORM's QueryFailedError (which copies the code). */
function isDataException(exception: unknown): boolean {
  return sqlStateOf(exception)?.startsWith('22') === true;
}

/**
 * The error for the log: name, message, code and stack. Not its other properties: a
 * QueryFailedError carries the statement's parameters, which may hold hashes or user data.
 */
function loggableError(exception: unknown): unknown {
  if (!(exception instanceof Error)) return exception;
  const code = (exception as { code?: unknown }).code;
  return { type: exception.name, message: exception.message, stack: exception.stack, ...(typeof code === 'string' ? { code } : {}) };
}
