import type { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { FailOpenThrottlerStorage } from './fail-open-throttler-storage';

const SHARED_RECORD = { totalHits: 7, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 42 };

describe('FailOpenThrottlerStorage', () => {
  function setup() {
    let down = false;
    const shared: ThrottlerStorage = {
      increment: jest.fn(async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return SHARED_RECORD;
      }),
    };
    const logger = { log: jest.fn(), warn: jest.fn() };
    const storage = new FailOpenThrottlerStorage(shared, logger as unknown as Logger);
    const hit = () => storage.increment('client-key', 60_000, 3, 60_000, 'default');
    return { storage, shared, logger, hit, setDown: (v: boolean) => { down = v; } };
  }

  it('answers from the shared store while it works', async () => {
    const { storage, hit, logger } = setup();
    await expect(hit()).resolves.toEqual(SHARED_RECORD);
    expect(logger.warn).not.toHaveBeenCalled();
    storage.close();
  });

  it('falls back to per-instance counters when the shared store fails, so the limit still holds', async () => {
    const { storage, hit, setDown, logger } = setup();
    setDown(true);
    const blocked: boolean[] = [];
    for (let i = 0; i < 5; i++) blocked.push((await hit()).isBlocked);
    expect(blocked).toEqual([false, false, false, true, true]);
    // one warning for the outage, not one per request
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('ECONNREFUSED');
    storage.close();
  });

  it('goes back to the shared store, with one log line, when it answers again', async () => {
    const { storage, shared, hit, setDown, logger } = setup();
    setDown(true);
    await hit();
    storage.reportFailure(new Error('Command timed out')); // the client's error events add nothing while failing
    setDown(false);
    await expect(hit()).resolves.toEqual(SHARED_RECORD);
    await hit();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.log).toHaveBeenCalledTimes(1);
    expect(shared.increment).toHaveBeenCalledTimes(3);
    storage.close();
  });
});
