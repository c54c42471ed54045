import { createServer, connect, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/** The Redis the integration tests use (this project's machines run one on 127.0.0.1:6379). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const START_HINT =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ' +
  '(apt-get install -y redis-server), or point TEST_REDIS_URL at one';

/**
 * The Socket.IO channel prefix of the deployment on this database: the instances sharing one
 * database are one deployment, while test files running at once (each on its own database) stay
 * apart on the one test Redis, as two deployments sharing a Redis would.
 */
export const channelPrefixFor = (dbUrl: string): string => `t-${decodeURIComponent(new URL(dbUrl).pathname.slice(1)).replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 60)}`;

/** The URL without its password, for messages. */
const shown = (url: string) => Object.assign(new URL(url), { password: '' }).href;

/** A client of the test Redis; throws one line saying how to start Redis when it does not answer. */
export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined; // the socket's error says more than connect()'s "Connection is closed."
  redis.on('error', (err: Error) => { cause ??= err; });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${shown(TEST_REDIS_URL)} (${(cause ?? (err as Error)).message}): ${START_HINT}`);
  }
  return redis;
}

/** A TCP relay in front of the test Redis, to make Redis stop answering or vanish mid-test. */
export interface RedisProxy {
  /** TEST_REDIS_URL with the relay's port. */
  url: string;
  /** Connections stay open but nothing is relayed any more: every command goes unanswered. */
  blackhole(): void;
  /** Drops every connection and stops listening: nothing listens on `url`'s port any more. */
  close(): Promise<void>;
  /** Listens and relays again on the same port (after close(); a no-op while open). */
  reopen(): Promise<void>;
}

export async function startRedisProxy(): Promise<RedisProxy> {
  const target = new URL(TEST_REDIS_URL);
  const sockets = new Set<Socket>();
  let relaying = true;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => { if (relaying) to.write(chunk); });
      from.on('error', () => undefined);
      from.on('close', () => { sockets.delete(from); to.destroy(); });
    }
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const url = Object.assign(new URL(target.href), { hostname: '127.0.0.1', port: String(port) }).href;
  return {
    url,
    blackhole: () => { relaying = false; },
    close: async () => {
      relaying = false;
      if (!server.listening) return;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    reopen: async () => {
      if (server.listening) return;
      relaying = true;
      await listen(port);
    },
  };
}
