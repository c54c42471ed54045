import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { of } from 'rxjs';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { MessageType } from 'socket.io-adapter';
import type { AppConfig } from '../config/config';
import { TEST_REDIS_URL, connectTestRedis } from '../../test/support/redis';
import { ChatopsIoAdapter, redactUrl, redisVersion } from './socket-adapter';

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
    const pub = (adapter as unknown as { redisClients: Array<Record<'publish' | 'spublish', (c: string, m: string) => Promise<number>>> }).redisClients[0];
    await adapter.dispose();
    // What the adapter does for a broadcast: publish without a handler. It must settle, not reject.
    await expect(pub.publish('chatops#/live#', 'x')).resolves.toBe(0);
    await expect(pub.spublish('chatops#/live#', 'x')).resolves.toBe(0);
  });

  it('reads the major version from INFO server', () => {
    expect(redisVersion('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n')).toBe(7);
    expect(redisVersion('# Server\r\nredis_version:6.2.14\r\n')).toBe(6);
    expect(redisVersion('')).toBeNull();
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

/**
 * Two Socket.IO servers on the test Redis through ChatopsIoAdapter's adapter, as two backend
 * instances: a browser socket on B, the broadcasts made on A.
 */
describe('ChatopsIoAdapter: which rooms have a Redis channel of their own', () => {
  const prefix = `t-adapter-${randomUUID()}`;
  const nsChannel = `${prefix}#/live#`;
  const serverChannel = (room: string) => `${nsChannel}${room}#`;
  const instances: Array<{ io: Server; adapter: ChatopsIoAdapter; seen: string[]; url: string }> = [];
  let browser: ClientSocket;
  let redis: Awaited<ReturnType<typeof connectTestRedis>>;

  async function instance() {
    const adapter = new ChatopsIoAdapter({ getHttpServer: () => undefined } as never, { redisUrl: TEST_REDIS_URL, redisChannelPrefix: prefix } as AppConfig);
    await adapter.connectRedis();
    const http = createHttpServer();
    const io = new Server(http);
    io.adapter((adapter as unknown as { redisAdapter: never }).redisAdapter);
    // Every sharded message this instance's subscriber receives, by channel.
    const seen: string[] = [];
    const sub = (adapter as unknown as { redisClients: EventEmitter[] }).redisClients[1];
    sub.on('smessageBuffer', (channel: Buffer) => seen.push(channel.toString()));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const inst = { io, adapter, seen, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
    instances.push(inst);
    return inst;
  }

  beforeAll(async () => {
    redis = await connectTestRedis();
    const [, b] = [await instance(), await instance()];
    b.io.of('/live').on('connection', (socket) => {
      socket.on('join', (room: string, ack: () => void) => void Promise.resolve(socket.join(room)).then(ack));
    });
    browser = connectClient(`${b.url}/live`, { transports: ['websocket'] });
    await new Promise((r) => browser.once('connect', () => r(undefined)));
  });

  afterAll(async () => {
    browser?.disconnect();
    for (const { io, adapter } of instances) {
      await new Promise((r) => io.close(r));
      await adapter.dispose();
    }
    redis?.disconnect();
  });

  const shardSubscribers = async (channel: string) => Number((await redis.call('PUBSUB', 'SHARDNUMSUB', channel) as [string, number])[1]);
  const received = (event: string) => new Promise((resolve) => browser.once(event, resolve));

  it('a server room has a channel only the instances with a member subscribe to; its samples reach B and never A', async () => {
    const [a] = instances;
    const room = `live:server:${randomUUID()}`;
    await browser.emitWithAck('join', room);
    await waitFor(async () => (await shardSubscribers(serverChannel(room))) === 1);
    const got = received('metrics');
    a.io.of('/live').to(room).emit('metrics', { n: 1 });
    expect(await got).toEqual({ n: 1 });
    expect(a.seen).not.toContain(serverChannel(room));
    expect(instances[1].seen).toContain(serverChannel(room));
  });

  it('a terminal room (joined just before its first message) stays on the namespace channel every instance listens to', async () => {
    const [a, b] = instances;
    const room = `live:terminal:${randomUUID()}`;
    await browser.emitWithAck('join', room);
    expect(await shardSubscribers(serverChannel(room))).toBe(0);
    const before = a.seen.filter((c) => c === nsChannel).length;
    const got = received('terminal_output');
    a.io.of('/live').to(room).emit('terminal_output', { data: 'x' });
    expect(await got).toEqual({ data: 'x' });
    expect(b.seen.filter((c) => c === nsChannel).length).toBeGreaterThan(0);
    // A hears its own publication on the namespace channel (and ignores it).
    await waitFor(() => a.seen.filter((c) => c === nsChannel).length > before);
  });

  it('a broadcast with acknowledgements to a server room uses the namespace channel: every instance answers its count', async () => {
    const [a] = instances;
    const room = `live:server:${randomUUID()}`;
    await browser.emitWithAck('join', room);
    await waitFor(async () => (await shardSubscribers(serverChannel(room))) === 1);
    browser.on('ping_room', (ack: (x: string) => void) => ack('pong'));
    const answers = await a.io.of('/live').to(room).timeout(5000).emitWithAck('ping_room');
    expect(answers).toEqual(['pong']);
    expect(a.seen).not.toContain(serverChannel(room));
  });

  it('the message type the channel choice reads is socket.io-adapter\'s BROADCAST', () => {
    expect(MessageType.BROADCAST).toBe(3);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
