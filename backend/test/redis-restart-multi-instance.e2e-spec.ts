import type { Redis } from 'ioredis';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { collect, connectLive, LiveClient } from './support/live-client';
import { connectTestRedis, RedisProxy, startRedisProxy } from './support/redis';

/**
 * Redis goes away and comes back while two instances run (a restart: every connection dropped,
 * nothing listening for a moment): live samples from an agent on A reach a browser on B again, and B
 * answers the agent's newest sample, without restarting either backend.
 */
describe('Redis restarted under two instances', () => {
  let redis: Redis | undefined;
  let proxy: RedisProxy;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis();
    proxy = await startRedisProxy();
    a = await startTestApp({ REDIS_URL: proxy.url });
    b = await startTestApp({ REDIS_URL: proxy.url }, { dbUrl: a.dbUrl });
    alice = await registerUser(a);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const live of lives) live.close();
    await b?.close();
    await a?.close();
    await proxy?.close();
    redis?.disconnect();
  });

  it('resumes cross-instance delivery and the shared latest sample once Redis is back', async () => {
    const { server, key } = await provisionServer(a, alice);
    const agent = await connectAgent(a.baseUrl, key.key);
    agents.push(agent);
    const hello = makeHello();
    agent.socket.emit('hello', hello);
    const live = await connectLive(b.baseUrl, alice.accessToken);
    lives.push(live);
    const samples = collect(live, 'metrics');
    expect(await live.timeout(5000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
    let seq = 0;
    const send = async () => expect(await sendMetrics(agent.socket, makeSample(++seq, hello.bootId))).toMatchObject({ ok: true });
    await send();
    await waitFor(() => samples.length, (n) => n === 1, 5000, 'a sample across instances');

    await proxy.close(); // Redis restarts: connections dropped, nothing listening
    await send(); // A keeps taking samples meanwhile (stored in PostgreSQL)
    await new Promise((r) => setTimeout(r, 1000));
    await proxy.reopen();
    const reopenedAt = seq;

    // Delivery resumes by itself (ioredis reconnects and resubscribes); samples sent while Redis was
    // away are stored but may be lost to live (a browser reloads history for them).
    await waitFor(async () => {
      await send();
      await new Promise((r) => setTimeout(r, 200));
      return samples.some((s) => s.sample.seq > reopenedAt);
    }, Boolean, 15_000, 'live samples across instances again');
    const latest = await waitFor(() => b.http().get(`/api/v1/metrics/${server.id}`).set(alice.auth), (r) => r.body?.sample?.seq === seq, 5000, 'B answering the newest sample');
    expect(latest.status).toBe(200);
    expect(agent.socket.connected).toBe(true);
  });
});
