import { BadRequestException, Injectable, NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';

/**
 * JSON body parsing inside Nest's middleware chain, so malformed or oversized bodies reach the
 * global filter as 400 / 413 with the contract's body (Express's own handler would answer HTML).
 */
export function createJsonBodyMiddleware(limitBytes: number) {
  const parse = json({ limit: limitBytes, strict: true });
  @Injectable()
  class JsonBodyMiddleware implements NestMiddleware {
    use(req: Request, res: Response, next: NextFunction) {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
        return next(new BadRequestException('Request bodies must be JSON (Content-Type: application/json)'));
      }
      parse(req, res, (err?: { type?: string }) => {
        if (!err) return next();
        if (err.type === 'entity.too.large') return next(new PayloadTooLargeException(`Request body exceeds ${limitBytes} bytes`));
        if (err.type === 'entity.parse.failed') return next(new BadRequestException('Malformed JSON in request body'));
        return next(new BadRequestException('Unreadable request body'));
      });
    }
  }
  return JsonBodyMiddleware;
}
