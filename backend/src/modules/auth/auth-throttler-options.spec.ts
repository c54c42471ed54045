import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import type { AppConfig } from '../../config/config';
import { AuthThrottlerOptions } from './auth-throttler-options';
import { FailOpenThrottlerStorage } from './fail-open-throttler-storage';

/** A local port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('AuthThrottlerOptions', () => {
  const authRateLimit = { limit: 3, ttlMs: 60_000 };
  const authSessionRateLimit = { limit: 30, ttlMs: 120_000 };
  afterEach(() => jest.restoreAllMocks());

  it('leaves the in-memory storage in place without REDIS_URL', async () => {
    const options = new AuthThrottlerOptions({ authRateLimit, authSessionRateLimit, redisUrl: undefined } as AppConfig);
    const created = await options.createThrottlerOptions();
    expect(created).toEqual({
      throttlers: [{ name: 'credentials', limit: 3, ttl: 60_000 }, { name: 'session', limit: 30, ttl: 120_000 }],
    });
    options.onApplicationShutdown();
  });

  it('with Redis unreachable starts and answers at once from memory, never logging the password', async () => {
    const lines: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => { lines.push(String(m)); });
    jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => { lines.push(String(m)); });
    const options = new AuthThrottlerOptions({ authRateLimit, authSessionRateLimit, redisUrl: `redis://admin:s3cret-pw@127.0.0.1:${await deadPort()}/0` } as AppConfig);
    try {
      const started = Date.now();
      const created = await options.createThrottlerOptions();
      const storage = (created as { storage?: unknown }).storage as FailOpenThrottlerStorage;
      expect(storage).toBeInstanceOf(FailOpenThrottlerStorage);
      const blocked: boolean[] = [];
      for (let i = 0; i < 4; i++) blocked.push((await storage.increment('client-key', 60_000, 3, 60_000, 'default')).isBlocked);
      expect(blocked).toEqual([false, false, false, true]);
      // Does not wait for Redis to appear (an offline queue would hold these until the test's timeout).
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.join('\n')).toMatch(/falls back to per-instance counters/);
      expect(lines.join('\n')).not.toMatch(/s3cret-pw|admin/);
    } finally {
      options.onApplicationShutdown();
    }
  });
});
