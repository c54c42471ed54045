import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet, { type HelmetOptions } from 'helmet';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ChatopsIoAdapter } from './common/socket-adapter';
import { frontendHandler } from './common/static-frontend';
import { DrainState } from './common/drain-state';
import { AgentManager } from './modules/agents/agent-manager.service';
import { LiveGateway } from './modules/live/live.gateway';
import { TextInputPipe } from './common/text-input.pipe';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';

export const API_PREFIX = 'api/v1';
/** Where `npm run build` puts the dashboard. */
export const FRONTEND_DIR = resolve(__dirname, '..', '..', 'dist', 'frontend', 'browser');

export function buildOpenApi(app: NestExpressApplication) {
  const doc = new DocumentBuilder()
    .setTitle('ChatOps API')
    .setDescription(
      'Monitor and operate a fleet of servers. REST under /api/v1; agents use the Socket.IO namespace /agents, ' +
        'browsers /live (see docs/api.md). Every error has the body {statusCode, error, message, code?, details?, requestId}: ' +
        '`code` is a stable machine-readable name (e.g. `server.not_found`, `database.unavailable`) listed in docs/api.md.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  return SwaggerModule.createDocument(app, doc, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
}

/**
 * Security headers (docs/security.md). Same-origin only: scripts, styles, images, fonts and
 * connections (CSP level 3 `'self'` also covers the page's own ws:/wss: origin, which the /live
 * socket uses); the page may not be framed (`frame-ancestors 'none'` and X-Frame-Options: DENY).
 * Inline styles stay allowed: Angular and Angular Material insert component styles at run time.
 * No upgrade-insecure-requests: plain-HTTP installs on a trusted network must keep working.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      // 'wasm-unsafe-eval' lets the recording player compile its WebAssembly terminal; it allows no JavaScript eval.
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/** Builds the HTTP + Socket.IO application (not listening yet). Shared by main.ts and the tests. */
export async function createApp(config: AppConfig, opts: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
    ...(opts.logger === false ? { logger: false } : {}),
  });
  if (opts.logger !== false) app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // API responses are live data nobody revalidates: hashing every body (96 KB for a 300-point
  // history) for a weak ETag is pure cost. Dashboard files keep their own ETags (res.sendFile).
  app.disable('etag');
  app.use(helmet(HELMET_OPTIONS));
  if (config.corsOrigins) app.enableCors({ origin: config.corsOrigins, credentials: true, exposedHeaders: ['X-Request-Id'] });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'health/ready'] });
  // Text rules first: the validators behind them may throw on lone surrogates (see text-input.pipe.ts).
  app.useGlobalPipes(new TextInputPipe(), createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  const io = new ChatopsIoAdapter(app, config);
  await io.connectRedis();
  app.useWebSocketAdapter(io);

  const document = buildOpenApi(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' });

  // The dashboard: precompressed, hashed files immutable, index.html for the app's routes (see static-frontend.ts).
  if (config.serveFrontend && existsSync(join(FRONTEND_DIR, 'index.html'))) app.use(frontendHandler(FRONTEND_DIR));
  return app;
}

/**
 * The first step of a graceful stop (SIGTERM), before `app.close()`: readiness turns 503, the
 * listener stops accepting connections (requests in flight finish), agents are told to reconnect
 * elsewhere and closed, and browsers are closed (the dashboard reconnects and resubscribes through
 * the load balancer). `app.close()` then flushes in-flight ingest batches and saves the latest samples.
 */
export async function drainApp(app: NestExpressApplication): Promise<void> {
  app.get(DrainState).draining = true;
  app.getHttpServer().close();
  app.get(LiveGateway).drain();
  await app.get(AgentManager).drain();
}
