import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The shared (Redis) limiter store, failing open to this instance's in-memory counters whenever
 * the shared store errors or times out. A login therefore never becomes a 500 or waits on Redis,
 * and an outage degrades the budget to the per-instance one (the behaviour without REDIS_URL),
 * not to no limit at all. One warning when the shared store starts failing, one line when it
 * answers again: never a line per request.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();
  private failing = false;

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly logger = new Logger('AuthRateLimit'),
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerRecord> {
    let record: ThrottlerRecord;
    try {
      record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      this.reportFailure(err);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    if (this.failing) {
      this.failing = false;
      this.logger.log('Redis answers again: the auth rate limit is shared across instances again');
    }
    return record;
  }

  /** Also fed by the Redis client's connection errors, so an outage is logged without traffic. */
  reportFailure(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    // Only the message: ioredis messages name the failure ("connect ECONNREFUSED 127.0.0.1:6379",
    // "Command timed out"), never the URL or its password.
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(`Redis failed (${reason}): the auth rate limit falls back to per-instance counters until it answers again`);
  }

  /** Stops the in-memory fallback's sweep timer. */
  close(): void {
    this.local.onApplicationShutdown();
  }
}
