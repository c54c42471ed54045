import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { AGENT_LIMITS } from '@chatops/protocol';
import type { AppConfig } from '../config/config';
import { depthLimitedParser } from './socket-frame-parser';
import { copyWsFrameMasks } from './ws-frame-mask';

/**
 * One Socket.IO server for both namespaces: bounded frame size and nesting, the configured CORS, and the
 * Redis adapter when REDIS_URL is set (rooms and acknowledgements then span backend instances).
 */
export class ChatopsIoAdapter extends IoAdapter {
  private readonly logger = new Logger('SocketIO');
  private redisAdapter: ReturnType<typeof import('@socket.io/redis-adapter').createAdapter> | null = null;
  private redisClients: { quit(): Promise<unknown> }[] = [];

  constructor(app: INestApplicationContext, private readonly config: AppConfig) {
    super(app);
  }

  async connectRedis(): Promise<void> {
    if (!this.config.redisUrl) return;
    const { Redis } = await import('ioredis');
    const { createAdapter } = await import('@socket.io/redis-adapter');
    // disconnectTimeout: ioredis arms it on disconnect even when the socket is already gone (a
    // failed start), and the default 2 s would keep the exiting process alive that long.
    const pub = new Redis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, disconnectTimeout: 100 });
    const sub = pub.duplicate();
    // ioredis reconnects by itself; without a listener every failed attempt is printed as an
    // "Unhandled error event". One warning per outage, one line when it is back.
    let lastError: Error | undefined;
    let down = false;
    for (const client of [pub, sub]) {
      client.on('error', (err: Error) => {
        lastError = err;
        if (down || !this.redisClients.length) return; // at start the failure is thrown below
        down = true;
        this.logger.warn(`Redis failed (${err.message}): rooms and agent requests stop spanning instances until it answers again`);
      });
      client.on('ready', () => {
        if (!down) return;
        down = false;
        this.logger.log('Redis answers again');
      });
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot connect to Redis at ${redactUrl(this.config.redisUrl)} (REDIS_URL): ${(lastError ?? (err as Error)).message}`);
    }
    // The adapter publishes without handling a failure: a broadcast racing the shutdown (emitted
    // after the clients quit) or an outage would surface as an unhandled "Connection is closed."
    // rejection. A failed publish is a lost cross-instance message, already covered by the outage
    // warning above; at shutdown it is expected.
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    Object.assign(pub, {
      publish: (channel: string, message: string) => publish(channel, message).catch((err: Error) => {
        if (this.redisClients.length) this.logger.debug(`Redis publish failed: ${err.message}`);
        return 0;
      }),
    });
    this.redisClients = [pub, sub];
    this.redisAdapter = createAdapter(pub, sub, { key: this.config.redisChannelPrefix });
    this.logger.log('Socket.IO uses the Redis adapter');
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    if (!copyWsFrameMasks()) this.logger.warn('ws frame masks are not copied (unexpected ws version): each connection keeps its last frame until the next one');
    const server: Server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: AGENT_LIMITS.maxFrameBytes,
      // bounded nesting, checked before JSON.parse (socket-frame-parser.ts)
      parser: depthLimitedParser,
      pingInterval: 20_000,
      pingTimeout: 20_000,
      cors: this.config.corsOrigins ? { origin: this.config.corsOrigins, credentials: true } : undefined,
    });
    if (this.redisAdapter) server.adapter(this.redisAdapter);
    return server;
  }

  /**
   * Nest wires `@SubscribeMessage` handlers through RxJS, and builds a per-socket disconnect stream
   * (fromEvent + share + first: 4 observables and their closures) even when a gateway has none.
   * Both gateways here attach their listeners themselves, so with 10,000 agents that was 40,000
   * observables held for nothing, live heap that every major GC marks. Without handlers, nothing is
   * built; a gateway that declares handlers gets Nest's wiring unchanged.
   */
  bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (!args[1].length) return;
    super.bindMessageHandlers(...args);
  }

  /**
   * The Redis clients are shared by every gateway's server: Nest calls close(server) once per
   * gateway, concurrently, and then dispose() once. Quitting them in close() cut the adapter's
   * unsubscribe commands of the other servers short (unhandled "Connection is closed." rejections
   * at every shutdown with REDIS_URL), so they are quit here, after every server is closed.
   */
  async dispose(): Promise<void> {
    await super.dispose();
    const clients = this.redisClients;
    this.redisClients = [];
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
  }
}

/** The URL without its password (for messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
