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
          'password', 'currentPassword', 'newPassword', 'refreshToken', 'accessToken', 'apiKey', 'key',
          '*.password', '*.refreshToken', '*.apiKey',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id, method: req.method, url: req.url?.split('?')[0], remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
    },
  };
}
