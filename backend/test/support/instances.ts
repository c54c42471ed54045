import type { Redis } from 'ioredis';
import { startTestApp, TestApp } from './app';
import { connectTestRedis, TEST_REDIS_URL } from './redis';

/** Two backend instances as a load balancer would have them: one PostgreSQL database, the test Redis. */
export interface InstancePair {
  a: TestApp;
  b: TestApp;
  /** A client of the same Redis, for the spec to look at what the instances share. */
  redis: Redis;
  close(): Promise<void>;
}

/** Starts A (which creates the database) and then B on it, both with REDIS_URL (and `env`). */
export async function startInstancePair(env: Record<string, string> = {}): Promise<InstancePair> {
  const redis = await connectTestRedis();
  let a: TestApp | undefined;
  try {
    a = await startTestApp({ REDIS_URL: TEST_REDIS_URL, ...env });
    const b = await startTestApp({ REDIS_URL: TEST_REDIS_URL, ...env }, { dbUrl: a.dbUrl });
    const first = a;
    return { a: first, b, redis, close: async () => { await b.close(); await first.close(); redis.disconnect(); } };
  } catch (err) {
    await a?.close();
    redis.disconnect();
    throw err;
  }
}
