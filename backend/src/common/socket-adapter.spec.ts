import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { of } from 'rxjs';
import type { AppConfig } from '../config/config';
import { TEST_REDIS_URL, connectTestRedis } from '../../test/support/redis';
import { ChatopsIoAdapter, redactUrl } from './socket-adapter';

/** A port where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('ChatopsIoAdapter with REDIS_URL', () => {
  it('a Redis that does not answer at start fails the start with one clear error, without the password', async () => {
    const port = await closedPort();
    const adapter = new ChatopsIoAdapter(undefined as never, { redisUrl: `redis://:s3cret-pw@127.0.0.1:${port}` } as AppConfig);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const failure = await adapter.connectRedis().then(() => null, (err: Error) => err);
      expect(failure?.message).toBe(`cannot connect to Redis at redis://:***@127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}`);
      // No "[ioredis] Unhandled error event" lines (every client has an error listener).
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).not.toContain('Unhandled error');
    } finally {
      stderr.mockRestore();
    }
  });

  it('a room broadcast racing the shutdown (after the Redis clients quit) is not an unhandled rejection', async () => {
    (await connectTestRedis()).disconnect(); // fails at once, saying how to start Redis, when there is none
    const adapter = new ChatopsIoAdapter({ getHttpServer: () => undefined } as never, { redisUrl: TEST_REDIS_URL } as AppConfig);
    await adapter.connectRedis();
    const pub = (adapter as unknown as { redisClients: Array<{ publish(c: string, m: string): Promise<number> }> }).redisClients[0];
    await adapter.dispose();
    // What the adapter does for a broadcast: publish without a handler. It must settle, not reject.
    await expect(pub.publish('chatops#/live#', 'x')).resolves.toBe(0);
  });

  it('redactUrl hides the password only', () => {
    expect(redactUrl('redis://user:pw@redis.internal:6380/2')).toBe('redis://user:***@redis.internal:6380/2');
    expect(redactUrl('rediss://redis.internal:6380')).toBe('rediss://redis.internal:6380');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
});

describe('ChatopsIoAdapter.bindMessageHandlers', () => {
  const adapter = () => new ChatopsIoAdapter({ getHttpServer: () => undefined } as never, {} as AppConfig);

  it('builds nothing for a gateway without @SubscribeMessage handlers (no per-socket disconnect stream)', () => {
    const socket = new EventEmitter();
    const a = adapter();
    a.bindMessageHandlers(socket as never, [], (x) => x as never);
    expect((a as unknown as { disconnectMap: WeakMap<object, unknown> }).disconnectMap.has(socket)).toBe(false);
    expect(socket.eventNames()).toEqual([]);
  });

  it('wires declared handlers as Nest does: the handler answers through the ack', async () => {
    const socket = new EventEmitter();
    const a = adapter();
    a.bindMessageHandlers(socket as never, [{ message: 'ping', callback: ((data: unknown) => ({ pong: data })) as never, methodName: 'ping', isAckHandledManually: false }], (x) => of(x as never));
    const answer = await new Promise((resolve) => socket.emit('ping', 42, resolve));
    expect(answer).toEqual({ pong: 42 });
    expect(socket.listenerCount('ping')).toBe(1);
  });
});
