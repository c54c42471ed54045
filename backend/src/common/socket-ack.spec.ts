import { Logger } from '@nestjs/common';
import { floodGuard, handlerGuard } from './socket-ack';

describe('floodGuard', () => {
  afterEach(() => jest.useRealTimers());

  it('lets maxPerSecond events through per second, drops the rest, and reports each burst once', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const onFlood = jest.fn();
    const allowed = floodGuard(5, onFlood);
    const first = Array.from({ length: 1000 }, () => allowed());
    expect(first.filter(Boolean)).toHaveLength(5);
    expect(onFlood).toHaveBeenCalledTimes(1);

    jest.setSystemTime(1_001_000); // a new second: a new budget, and a new burst is reported again
    expect(Array.from({ length: 5 }, () => allowed()).every(Boolean)).toBe(true);
    expect(onFlood).toHaveBeenCalledTimes(1);
    expect(Array.from({ length: 100 }, () => allowed()).some(Boolean)).toBe(false);
    expect(onFlood).toHaveBeenCalledTimes(2);
  });
});

describe('handlerGuard', () => {
  const logger = new Logger('test');
  let logged: unknown[][];
  beforeEach(() => {
    logged = [];
    jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  });

  it('logs a throwing handler with the socket context and the event name instead of letting it escape', () => {
    const guard = handlerGuard(logger, () => ({ socketId: 's1', serverId: 'srv-1' }));
    const handler = guard('metrics', () => { throw new Error('boom'); });
    expect(() => handler()).not.toThrow();
    expect(logged).toEqual([[expect.objectContaining({ event: 'metrics', socketId: 's1', serverId: 'srv-1', err: expect.objectContaining({ message: 'boom' }) }), 'Socket handler for "metrics" failed']]);
  });

  it('logs a rejecting async handler the same way', async () => {
    const guard = handlerGuard(logger, () => ({ socketId: 's2', userId: 'u-1' }));
    guard('subscribe', async () => {
      await Promise.resolve();
      throw new Error('async boom');
    })();
    await new Promise((r) => setImmediate(r)); // the rejection has been handled by then
    expect(logged).toEqual([[expect.objectContaining({ event: 'subscribe', socketId: 's2', userId: 'u-1' }), 'Socket handler for "subscribe" failed']]);
  });

  it('passes the arguments through and stays silent when the handler succeeds', () => {
    const guard = handlerGuard(logger, () => ({}));
    const seen: unknown[] = [];
    guard('x', (...args: unknown[]) => void seen.push(...args))(1, 'two');
    expect(seen).toEqual([1, 'two']);
    expect(logged).toEqual([]);
  });
});
