import type { ErrorBody } from '@chatops/protocol';

/** The contract's error body, for the OpenAPI document. */
export class ErrorResponse implements ErrorBody {
  /** HTTP status code. */
  statusCode: number;
  /** HTTP reason phrase, e.g. "Bad Request". */
  error: string;
  /** Human-readable message. */
  message: string;
  /** Validation failures, one per field: `{field, errors[]}`. */
  details?: Record<string, unknown>[];
  /** Echoed in the X-Request-Id header and in the server log. */
  requestId: string;
  /** Stable machine-readable code, e.g. `auth.invalid_credentials`. */
  code?: string;
}
