import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { AGENT_LIMITS } from '@chatops/protocol';
import type { AppConfig } from '../config/config';

/**
 * One Socket.IO server for both namespaces: bounded frame size, the configured CORS, and the
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
    const pub = new Redis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    this.redisClients = [pub, sub];
    this.redisAdapter = createAdapter(pub, sub, { key: 'chatops' });
    this.logger.log('Socket.IO uses the Redis adapter');
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: AGENT_LIMITS.maxFrameBytes,
      pingInterval: 20_000,
      pingTimeout: 20_000,
      cors: this.config.corsOrigins ? { origin: this.config.corsOrigins, credentials: true } : undefined,
    });
    if (this.redisAdapter) server.adapter(this.redisAdapter);
    return server;
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
