import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';
import { genRequestId } from './request-id';

/** Structured JSON logs with request ids; human-readable on a terminal. Secrets are redacted. */
export function loggerParams(config: AppConfig): Params {
  let pretty = config.logPretty;
  if (pretty) {
    try {
      require.resolve('pino-pretty');
    } catch {
      pretty = false;
    }
  }
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: genRequestId,
      redact: {
        paths: [
          'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie',
          'password', 'currentPassword', 'newPassword', 'refreshToken', 'accessToken', 'apiKey', 'key', 'token',
          '*.password', '*.refreshToken', '*.apiKey', '*.token', '*.newPassword',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id, method: req.method, url: logUrl(req.url), remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
    },
  };
}

/** The path of a request as logged: no query string, and no secret a path carries (the dashboard's reset-link page). */
export const logUrl = (url: string | undefined): string | undefined => url?.split('?')[0].replace(/\/reset-password\/[^/]+/, '/reset-password/[redacted]');
