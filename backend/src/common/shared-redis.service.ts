import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { redactUrl } from './socket-adapter';

/** Keys of the shared state (apart from the adapter's channels and the auth limiter's keys). */
export const SHARED_KEY_PREFIX = 'chatops:shared:';
/** A command without a reply by then fails: callers fall back to what they hold locally or PostgreSQL. */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * The one Redis connection for state the backend instances share (the latest samples), when
 * REDIS_URL is set; `client` is null otherwise (one instance: memory and PostgreSQL suffice).
 * Commands fail at once while Redis is down (no offline queue): every caller has a fallback.
 */
@Injectable()
export class SharedRedis implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SharedRedis.name);
  client: Redis | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const url = this.config.redisUrl;
    if (!url) return;
    const { Redis } = await import('ioredis');
    const client = new Redis(url, {
      keyPrefix: SHARED_KEY_PREFIX,
      lazyConnect: true,
      commandTimeout: COMMAND_TIMEOUT_MS,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // ioredis arms this on disconnect even when the socket is already gone: keep exits quick.
      disconnectTimeout: 100,
    });
    let down = false;
    client.on('error', (err: Error) => {
      if (down) return;
      down = true;
      this.logger.warn(`Shared Redis failed (${err.message}): latest samples are served from memory and PostgreSQL until it answers`);
    });
    client.on('ready', () => {
      if (down) this.logger.log('Shared Redis answers again');
      down = false;
    });
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      throw new Error(`cannot connect to Redis at ${redactUrl(url)} (REDIS_URL): ${(err as Error).message}`);
    }
    this.client = client;
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.quit().catch(() => undefined);
  }
}
