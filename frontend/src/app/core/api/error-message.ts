import { HttpErrorResponse } from '@angular/common/http';
import type { ErrorBody } from '@chatops/protocol';

export interface ApiErrorInfo {
  status: number;
  message: string;
  requestId: string | null;
}

/** Turns any HTTP failure into the message + request id a user can quote to an operator. */
export function describeHttpError(err: unknown): ApiErrorInfo {
  if (!(err instanceof HttpErrorResponse)) {
    return { status: 0, message: err instanceof Error ? err.message : 'Unexpected error', requestId: null };
  }
  const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as Partial<ErrorBody>;
  const requestId = body.requestId ?? err.headers?.get('X-Request-Id') ?? null;
  let message: string;
  if (err.status === 0) {
    message = 'Cannot reach the ChatOps server. Check your connection.';
  } else if (Array.isArray(body.message)) {
    message = (body.message as unknown[]).join('; ');
  } else if (typeof body.message === 'string' && body.message) {
    message = body.message;
  } else if (typeof err.error === 'string' && err.error && err.error.length < 300) {
    message = err.error;
  } else {
    message = `${err.status} ${err.statusText || 'Request failed'}`;
  }
  return { status: err.status, message, requestId };
}
