import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { authThrottleKey } from '../src/modules/auth/auth-rate-limit';
import { THROTTLE_KEY_PREFIX, THROTTLE_REDIS_TIMEOUT_MS } from '../src/modules/auth/auth-throttler-options';
import { registerUser, startTestApp, TestApp, waitFor } from './support/app';
import { connectTestRedis, RedisProxy, startRedisProxy, TEST_REDIS_URL } from './support/redis';

/**
 * The auth rate limit: one budget per client across the credential routes and one across refresh
 * and logout; across backend instances one budget shared through Redis with REDIS_URL, one per
 * instance without it, and failing open (answering, still limited per instance) when Redis stops
 * answering. Real PostgreSQL, real Redis (TEST_REDIS_URL, default 127.0.0.1:6379).
 */
const LIMIT = 3;
const SESSION_LIMIT = 4;
const ENV = { AUTH_RATE_LIMIT: `${LIMIT}/60`, AUTH_SESSION_RATE_LIMIT: `${SESSION_LIMIT}/60`, TRUST_PROXY: 'true' };

/** Each test sends as a client address of its own (X-Forwarded-For): runs sharing a Redis never share a budget. */
const randomIp = () => `10.${[...randomBytes(3)].join('.')}`;

/** The Redis keys the limiter keeps for credential attempts from `ip`: the hit counter and the block marker. */
function loginKeys(ip: string): [hits: string, blocked: string] {
  const hash = authThrottleKey('credentials', ip);
  return [`${THROTTLE_KEY_PREFIX}{${hash}:credentials}:hits`, `${THROTTLE_KEY_PREFIX}{${hash}:credentials}:blocked`];
}

async function failedLogin(t: TestApp, ip: string) {
  const started = Date.now();
  const res = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip)
    .send({ username: 'nobody_here', password: 'wrong password' });
  return { status: res.status, body: res.body, retryAfter: res.headers['retry-after'] as string | undefined, ms: Date.now() - started };
}

/** Removes the keys this file created (each expires after the window anyway). */
async function cleanUp(redis: Redis | undefined, ips: string[]): Promise<void> {
  if (!redis) return;
  if (ips.length) await redis.del(...ips.flatMap(loginKeys));
  redis.disconnect();
}

describe('auth rate limit with REDIS_URL', () => {
  let redis: Redis | undefined;
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  const ips: string[] = [];
  beforeAll(async () => {
    redis = await connectTestRedis(); // first: without Redis this fails at once, saying how to start it
    a = await startTestApp({ ...ENV, REDIS_URL: TEST_REDIS_URL });
    b = await startTestApp({ ...ENV, REDIS_URL: TEST_REDIS_URL }, { dbUrl: a.dbUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cleanUp(redis, ips);
  });

  it('answers 429 after LIMIT failed logins in total, spread across two instances', async () => {
    const ip = randomIp();
    ips.push(ip);
    const results = [];
    for (const t of [a!, b!, a!, b!, a!]) results.push(await failedLogin(t, ip));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
    for (const r of results.slice(LIMIT)) {
      expect(r.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', requestId: expect.any(String) });
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    }
    // one counter for both instances, under the limiter's own prefix, expiring with the window
    const [hits, blocked] = loginKeys(ip);
    expect(await redis!.get(hits)).toBe('5');
    expect(await redis!.pttl(hits)).toBeGreaterThan(0);
    expect(await redis!.pttl(hits)).toBeLessThanOrEqual(60_000);
    expect(await redis!.exists(blocked)).toBe(1);
  });
});

describe('auth rate limit budgets (per client, across routes)', () => {
  let t: TestApp | undefined;
  beforeAll(async () => { t = await startTestApp(ENV); });
  afterAll(async () => { await t?.close(); });

  const post = (path: string, ip: string, body: object) => t!.http().post(`/api/v1/auth/${path}`).set('X-Forwarded-For', ip).send(body);

  it('counts login, register and change-password attempts in one budget, not one per route', async () => {
    const ip = randomIp();
    const user = await registerUser(t!); // from the test's own address: not counted for `ip`
    const statuses = [
      (await post('login', ip, { username: 'nobody_here', password: 'wrong password' })).status,
      (await post('register', ip, { username: 'x', email: 'not-an-email', password: 'short' })).status,
      (await t!.http().post('/api/v1/auth/change-password').set('X-Forwarded-For', ip).set(user.auth)
        .send({ currentPassword: 'wrong password', newPassword: 'another long one' })).status,
    ];
    expect(statuses).toEqual([401, 400, 403]);
    const blocked = await post('register', ip, { username: `u_${randomBytes(3).toString('hex')}`, email: 'fresh@example.test', password: 'long enough pw' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post('login', ip, { username: 'nobody_here', password: 'x' })).status).toBe(429);
  });

  it('limits refresh and logout together in their own budget, which spent credential attempts do not touch', async () => {
    const ip = randomIp();
    for (let i = 0; i < LIMIT; i++) await post('login', ip, { username: 'nobody_here', password: 'wrong password' });
    expect((await post('login', ip, { username: 'nobody_here', password: 'wrong password' })).status).toBe(429);

    const user = await registerUser(t!);
    let token = user.refreshToken;
    const statuses: number[] = [];
    for (let i = 0; i < SESSION_LIMIT - 1; i++) {
      const res = await post('refresh', ip, { refreshToken: token });
      statuses.push(res.status);
      expect(res.headers['x-ratelimit-limit']).toBe(String(SESSION_LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(SESSION_LIMIT - 1 - i));
      token = res.body.refreshToken ?? token;
    }
    statuses.push((await post('logout', ip, { refreshToken: token })).status);
    expect(statuses).toEqual([...Array(SESSION_LIMIT - 1).fill(200), 204]);
    const refused = [await post('refresh', ip, { refreshToken: token }), await post('logout', ip, { refreshToken: token })];
    expect(refused.map((r) => r.status)).toEqual([429, 429]);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThan(0);
    expect(refused[0].body).toMatchObject({ statusCode: 429, requestId: expect.any(String) });
    // another client is not affected
    expect((await post('logout', randomIp(), { refreshToken: token })).status).toBe(204);
  });
});

describe('auth rate limit without REDIS_URL', () => {
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  beforeAll(async () => {
    a = await startTestApp(ENV);
    b = await startTestApp(ENV, { dbUrl: a.dbUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('lets each instance allow LIMIT failed logins of the same client (in memory, per instance)', async () => {
    const ip = randomIp();
    const onA: number[] = [];
    const onB: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      onA.push((await failedLogin(a!, ip)).status);
      onB.push((await failedLogin(b!, ip)).status);
    }
    expect(onA).toEqual([401, 401, 401, 429]);
    expect(onB).toEqual([401, 401, 401, 429]);
  });
});

describe('auth rate limit when Redis stops answering', () => {
  let redis: Redis | undefined;
  let proxy: RedisProxy | undefined;
  let t: TestApp | undefined;
  const ips: string[] = [];
  beforeAll(async () => {
    redis = await connectTestRedis();
    proxy = await startRedisProxy(); // REDIS_URL points at this relay, which the test then breaks
    t = await startTestApp({ ...ENV, REDIS_URL: proxy.url });
  });
  afterAll(async () => {
    // Redis back first: the Socket.IO adapter's clients only quit once their queued commands went out
    await proxy?.reopen();
    await t?.close();
    await proxy?.close();
    await cleanUp(redis, ips);
  });

  /**
   * "Promptly": a login does not wait on Redis beyond the limiter's command timeout. The bound has
   * room for argon2 on a loaded machine; what it catches is a login waiting for Redis to come back
   * (ioredis's offline queue, its reconnects), which takes as long as the outage.
   */
  const PROMPT_MS = THROTTLE_REDIS_TIMEOUT_MS + 8000;

  it('fails open: logins answer promptly, never 500, limited per instance, whether Redis hangs or nothing listens; shared again once back', async () => {
    const ip = randomIp();
    ips.push(ip);
    expect((await failedLogin(t!, ip)).status).toBe(401);
    expect(await redis!.get(loginKeys(ip)[0])).toBe('1'); // counted in Redis while it answers

    proxy!.blackhole(); // connected, but no reply ever comes: each attempt waits out the command timeout
    const hung = [];
    for (let i = 0; i <= LIMIT; i++) hung.push(await failedLogin(t!, ip));
    expect(hung.map((r) => r.status)).toEqual([401, 401, 401, 429]); // this instance's own counters, from zero
    for (const r of hung) expect(r.ms).toBeLessThan(PROMPT_MS);

    await proxy!.close(); // now nothing listens on REDIS_URL's port: attempts fail at once
    const other = randomIp();
    const refused = [];
    for (let i = 0; i <= LIMIT; i++) refused.push(await failedLogin(t!, other));
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    for (const r of refused) expect(r.ms).toBeLessThan(PROMPT_MS);
    expect(refused[LIMIT].retryAfter).toBeDefined();

    await proxy!.reopen(); // Redis is back: counting goes to the shared store again
    await waitFor(async () => {
      const ip = randomIp();
      ips.push(ip);
      expect((await failedLogin(t!, ip)).status).toBe(401);
      return redis!.exists(loginKeys(ip)[0]);
    }, (n) => n === 1, 10_000, 'a login counted in Redis again');
  });
});
