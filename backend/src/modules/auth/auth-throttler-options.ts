import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerModuleOptions, ThrottlerOptionsFactory } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/config';
import type { AuthBudget } from './auth-rate-limit';
import { FailOpenThrottlerStorage } from './fail-open-throttler-storage';

/** Every limiter key lives under this prefix, apart from the Socket.IO adapter's channels. */
export const THROTTLE_KEY_PREFIX = 'chatops:throttle:';
/** A limiter command without a reply by then counts as a Redis failure (fail open). */
export const THROTTLE_REDIS_TIMEOUT_MS = 500;
/** How long a start waits for Redis before it goes on with the in-memory fallback. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * The auth limiter's options: the `credentials` budget (AUTH_RATE_LIMIT) and the `session` budget
 * (AUTH_SESSION_RATE_LIMIT), see auth-rate-limit.ts; counted in Redis when REDIS_URL is set
 * (shared by every instance), in memory per instance otherwise. Owns the dedicated Redis
 * connection and closes it on shutdown.
 */
@Injectable()
export class AuthThrottlerOptions implements ThrottlerOptionsFactory, OnApplicationShutdown {
  private readonly logger = new Logger('AuthRateLimit');
  private redis: Redis | null = null;
  private storage: FailOpenThrottlerStorage | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async createThrottlerOptions(): Promise<ThrottlerModuleOptions> {
    const { authRateLimit: credentials, authSessionRateLimit: session } = this.config;
    const throttlers: { name: AuthBudget; limit: number; ttl: number }[] = [
      { name: 'credentials', limit: credentials.limit, ttl: credentials.ttlMs },
      { name: 'session', limit: session.limit, ttl: session.ttlMs },
    ];
    if (!this.config.redisUrl) return { throttlers };
    return { throttlers, storage: await this.createSharedStorage(this.config.redisUrl) };
  }

  private async createSharedStorage(url: string): Promise<FailOpenThrottlerStorage> {
    const { Redis } = await import('ioredis');
    const { ThrottlerStorageRedisService } = await import('@nest-lab/throttler-storage-redis');
    const redis = new Redis(url, {
      keyPrefix: THROTTLE_KEY_PREFIX,
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: THROTTLE_REDIS_TIMEOUT_MS,
      // While disconnected a command fails at once instead of waiting in a queue; a timed-out
      // increment is not replayed after a reconnect (it was already counted in memory).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      // ioredis arms this timer on disconnect even when the socket is already gone (Redis down):
      // the default 2 s would keep a stopping process (or Jest) alive that long.
      disconnectTimeout: 100,
    });
    const storage = new FailOpenThrottlerStorage(new ThrottlerStorageRedisService(redis), this.logger);
    // Without a listener ioredis prints every failed reconnect to stderr.
    redis.on('error', (err) => storage.reportFailure(err));
    this.redis = redis;
    this.storage = storage;
    try {
      await redis.connect();
      this.logger.log(`Auth rate limit shared through Redis (keys ${THROTTLE_KEY_PREFIX}*)`);
    } catch (err) {
      storage.reportFailure(err); // ioredis keeps reconnecting in the background
    }
    return storage;
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
    this.storage?.close();
  }
}
