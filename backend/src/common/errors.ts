import { HttpException } from '@nestjs/common';

/**
 * A domain error: an HTTP status, a stable machine-readable code and a human message.
 * The global filter turns it into the contract's error body.
 */
export class AppError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super({ message, code, details }, status);
  }
}

export const notFound = (what: string, code = 'not_found') => new AppError(404, code, `${what} not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
