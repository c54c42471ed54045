import { BadRequestException, Injectable, NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import { json, urlencoded } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-input';

const TOO_DEEP = 'entity.too.deep';

/**
 * Runs on the raw bytes before JSON.parse: a body nested deeper than MAX_JSON_DEPTH is refused
 * after one linear scan, before anything recursive (the validation pipe, class-transformer) runs.
 */
function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  const text = /^utf-?8$/i.test(encoding) ? body : new TextDecoder(encoding).decode(body);
  if (jsonDepthExceeds(text)) throw Object.assign(new Error('JSON nested too deeply'), { type: TOO_DEEP });
}

/**
 * JSON body parsing inside Nest's middleware chain, so malformed, oversized or too deeply nested
 * bodies reach the global filter as 400 / 413 with the contract's body (Express's own handler
 * would answer HTML).
 */
export function createJsonBodyMiddleware(limitBytes: number) {
  const parse = json({ limit: limitBytes, strict: true, verify: refuseDeepJson });
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
        if (err.type === TOO_DEEP) return next(new BadRequestException(`JSON in request body is nested deeper than ${MAX_JSON_DEPTH} levels`));
        return next(new BadRequestException('Unreadable request body'));
      });
    }
  }
  return JsonBodyMiddleware;
}

/** Routes whose bodies are HTML forms (chat platforms' callbacks), relative to the API prefix. */
export const FORM_BODY_ROUTES = ['chatops/slack/*path', 'chatops/mattermost/*path'];

/**
 * application/x-www-form-urlencoded parsing for the chat platforms' callbacks only (FORM_BODY_ROUTES),
 * within the same size limit as JSON. The raw bytes are kept on `req.rawBody`: Slack signs them,
 * not the parsed fields. Flat fields only (`extended: false`); anything else is a 400.
 */
export function createFormBodyMiddleware(limitBytes: number) {
  const parse = urlencoded({
    limit: limitBytes,
    extended: false,
    parameterLimit: 100,
    verify: (req, _res, body) => { (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(body); },
  });
  @Injectable()
  class FormBodyMiddleware implements NestMiddleware {
    use(req: Request, res: Response, next: NextFunction) {
      if (!req.is('application/x-www-form-urlencoded')) {
        return next(new BadRequestException('Chat platform callbacks must be forms (Content-Type: application/x-www-form-urlencoded)'));
      }
      parse(req, res, (err?: { type?: string }) => {
        if (!err) return next();
        if (err.type === 'entity.too.large') return next(new PayloadTooLargeException(`Request body exceeds ${limitBytes} bytes`));
        return next(new BadRequestException('Unreadable form body'));
      });
    }
  }
  return FormBodyMiddleware;
}
