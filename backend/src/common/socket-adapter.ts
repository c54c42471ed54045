import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { AGENT_LIMITS } from '@chatops/protocol';
import type { AppConfig } from '../config/config';
import { depthLimitedParser } from './socket-frame-parser';
import { copyWsFrameMasks } from './ws-frame-mask';
import { hasOwnChannel } from '../modules/live/live-socket';

/** socket.io-adapter's MessageType.BROADCAST. */
const BROADCAST = 3;

/**
 * One Socket.IO server for both namespaces: bounded frame size and nesting, the configured CORS, and the
 * Redis adapter when REDIS_URL is set (rooms and acknowledgements then span backend instances).
 */
export class ChatopsIoAdapter extends IoAdapter {
  private readonly logger = new Logger('SocketIO');
  private redisAdapter: AdapterFactory | null = null;
  private redisClients: { quit(): Promise<unknown> }[] = [];

  constructor(app: INestApplicationContext, private readonly config: AppConfig) {
    super(app);
  }

  async connectRedis(): Promise<void> {
    if (!this.config.redisUrl) return;
    const { Redis } = await import('ioredis');
    const { createAdapter, createShardedAdapter } = await import('@socket.io/redis-adapter');
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
    // The adapter publishes (PUBLISH, or SPUBLISH when sharded) without handling a failure: a
    // broadcast racing the shutdown (emitted after the clients quit) or an outage would surface as
    // an unhandled "Connection is closed." rejection. A failed publish is a lost cross-instance
    // message, already covered by the outage warning above; at shutdown it is expected.
    for (const command of ['publish', 'spublish'] as const) {
      const send = pub[command].bind(pub) as (channel: string, message: string) => Promise<number>;
      Object.assign(pub, {
        [command]: (channel: string, message: string) => send(channel, message).catch((err: Error) => {
          if (this.redisClients.length) this.logger.debug(`Redis ${command} failed: ${err.message}`);
          return 0;
        }),
      });
    }
    this.redisClients = [pub, sub];
    const version = redisVersion(await pub.info('server').catch(() => ''));
    if (version !== null && version >= 7) {
      this.redisAdapter = streamRoomChannels(createShardedAdapter(pub, sub, { channelPrefix: this.config.redisChannelPrefix, subscriptionMode: 'dynamic' }));
      this.logger.log('Socket.IO uses the Redis adapter (sharded Pub/Sub: a channel per watched server and fleet)');
    } else {
      this.redisAdapter = createAdapter(pub, sub, { key: this.config.redisChannelPrefix });
      this.logger.warn(`Redis ${version ?? 'of unknown version (INFO refused)'}: no sharded Pub/Sub (Redis 7 or later), so every instance receives every server's live samples`);
    }
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    if (!copyWsFrameMasks()) this.logger.warn('ws receiver not patched (unexpected ws version): each frame read stays in memory until the next major GC');
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

type AdapterFactory = ReturnType<typeof import('@socket.io/redis-adapter').createAdapter> | ReturnType<typeof import('@socket.io/redis-adapter').createShardedAdapter>;

/** The major version from `INFO server` (null when absent). */
export function redisVersion(info: string): number | null {
  const m = /^redis_version:(\d+)\./m.exec(info);
  return m ? Number(m[1]) : null;
}

/** What the sharded adapter decides per room and per message (not part of its typed API). */
interface ShardedChannels {
  channel: string;
  shouldUseASeparateNamespace(room: unknown): boolean;
  computeChannel(message: { type: number; data?: { requestId?: unknown; opts?: { rooms?: unknown[] } } }): string;
  dynamicChannel(room: string): string;
}

/**
 * The sharded adapter in "dynamic" mode gives every room its own channel, which an instance
 * subscribes to while it has a member there: a server's samples then reach only the instances with
 * a browser watching it, instead of every instance decoding every sample (at 10,000 agents that is
 * 2,000 messages a second for each, and as many fleet summaries). Only the `/live` rooms that follow
 * a stream of updates get one (`hasOwnChannel`): the subscription is made when the room appears,
 * so a message published on another instance in the next milliseconds can miss it. The rooms that
 * carry one conversation (a terminal, a followed log, a chat command's output, a user's or a
 * session's sockets, an agent) are joined just before their first message, which must not be
 * lost: they stay on the namespace's channel, which every instance always listens to.
 */
export function streamRoomChannels<F extends AdapterFactory>(factory: F): F {
  // Socket.IO constructs the factory with `new`: a function, not an arrow.
  return function sharded(nsp: { name: string }) {
    const adapter = (factory as (n: unknown) => unknown)(nsp) as ShardedChannels;
    if (typeof adapter.computeChannel !== 'function' || typeof adapter.dynamicChannel !== 'function') {
      throw new Error('@socket.io/redis-adapter changed: the sharded adapter has no computeChannel/dynamicChannel');
    }
    const namespaceChannel = adapter.channel;
    const live = nsp.name === '/live';
    adapter.shouldUseASeparateNamespace = (room) => live && hasOwnChannel(room);
    adapter.computeChannel = (message) => {
      const rooms = message.data?.opts?.rooms;
      // A broadcast with acknowledgements counts its answers from every instance: never a room's channel.
      const own = message.type === BROADCAST && message.data?.requestId === undefined && rooms?.length === 1 && live && hasOwnChannel(rooms[0]);
      return own ? adapter.dynamicChannel(rooms[0] as string) : namespaceChannel;
    };
    return adapter;
  } as unknown as F;
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
