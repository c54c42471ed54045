import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { FailOpenThrottlerStorage } from './fail-open-throttler-storage';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The shared store here is a real counting store (Nest's own in-memory ThrottlerStorageService)
 * that can be made to fail like Redis does; the assertions are about the limiter's decisions and
 * about which store counted each hit, never about values a stub was told to return.
 */
class FlakySharedStore implements ThrottlerStorage {
  readonly store = new ThrottlerStorageService();
  down = false;
  increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerRecord> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    return this.store.increment(key, ttl, limit, blockDuration, name);
  }
  /** Hits this store has counted for `key` in the current window. */
  hits(key: string): number {
    return this.store.storage.get(key)?.totalHits.get('default') ?? 0;
  }
}

/** A logger that keeps its lines (Nest's Logger, output captured instead of printed). */
class Lines extends Logger {
  readonly lines: string[] = [];
  log(message: string): void { this.lines.push(`log ${message}`); }
  warn(message: string): void { this.lines.push(`warn ${message}`); }
}

describe('FailOpenThrottlerStorage', () => {
  const LIMIT = 3;
  function setup() {
    const shared = new FlakySharedStore();
    const logger = new Lines('AuthRateLimit');
    const storage = new FailOpenThrottlerStorage(shared, logger);
    const hit = (key = 'client-key') => storage.increment(key, 60_000, LIMIT, 60_000, 'default');
    const close = () => { storage.close(); shared.store.onApplicationShutdown(); };
    return { shared, logger, storage, hit, close };
  }

  it('counts in the shared store while it works, and blocks past the limit there', async () => {
    const { shared, logger, hit, close } = setup();
    const blocked: boolean[] = [];
    for (let i = 0; i < LIMIT + 1; i++) blocked.push((await hit()).isBlocked);
    expect(blocked).toEqual([false, false, false, true]);
    expect(shared.hits('client-key')).toBe(LIMIT + 1);
    expect(logger.lines).toEqual([]);
    close();
  });

  it('falls back to per-instance counters when the shared store fails, so the limit still holds', async () => {
    const { shared, logger, hit, close } = setup();
    shared.down = true;
    const blocked: boolean[] = [];
    for (let i = 0; i < 5; i++) blocked.push((await hit()).isBlocked);
    expect(blocked).toEqual([false, false, false, true, true]);
    // one warning for the outage, not one per request, naming the failure
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^warn Redis failed \(connect ECONNREFUSED/);
    close();
  });

  it('goes back to the shared store, with one log line, when it answers again', async () => {
    const { shared, logger, storage, hit, close } = setup();
    expect((await hit()).isBlocked).toBe(false); // shared: 1
    shared.down = true;
    expect((await hit()).isBlocked).toBe(false); // local: 1
    storage.reportFailure(new Error('Command timed out')); // the client's error events add nothing while failing
    shared.down = false;
    // Shared again: its count goes on from where it was (1), unaffected by the local one.
    const after = [await hit(), await hit(), await hit()].map((r) => r.isBlocked);
    expect(after).toEqual([false, false, true]);
    expect(shared.hits('client-key')).toBe(4);
    expect(logger.lines.map((l) => l.split(' ')[0])).toEqual(['warn', 'log']);
    close();
  });
});
