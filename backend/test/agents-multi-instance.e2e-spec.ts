import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { runExclusive } from '../src/database/cluster-lock';
import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { ConnectionEventsRetention } from '../src/modules/agents/connection-events-retention.service';
import { InstancePresence, PRESENCE_LOCK_CLASS } from '../src/modules/agents/instance-presence.service';
import { MetricsRollupService } from '../src/modules/metrics/metrics-rollup.service';
import { createApiKey, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { TEST_REDIS_URL } from './support/redis';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * Two real backend instances on one PostgreSQL database and the real Redis: what is done to an
 * agent through one instance reaches it on the other (revocation, deletion), and the rules of one
 * instance hold across both.
 */
describe('agents across two instances (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let redis: Redis | undefined;
  let a: TestApp;
  let b: TestApp;
  let late: TestApp | undefined;
  let alice: TestUser;
  const agents: TestAgent[] = [];
  const escaped: string[] = [];
  const onEscaped = (err: unknown) => escaped.push(err instanceof Error ? err.stack ?? err.message : String(err));

  beforeAll(async () => {
    process.on('unhandledRejection', onEscaped);
    process.on('uncaughtException', onEscaped);
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b, redis } = pair);
    alice = await registerUser(a);
  });
  afterEach(() => {
    for (const agent of agents.splice(0)) agent.close();
    expect(escaped).toEqual([]);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onEscaped);
    process.off('uncaughtException', onEscaped);
    await late?.close();
    await pair?.close();
  });

  const on = async (t: TestApp, key: string) => {
    const agent = await connectAgent(t.baseUrl, key);
    agents.push(agent);
    return agent;
  };
  const statusOf = async (serverId: string) =>
    (await a.db.query('SELECT status FROM servers WHERE id = $1', [serverId])).rows[0]?.status as string | undefined;

  describe('revocation and deletion reach the agent on the other instance', () => {
    it('a key deactivated on B disconnects its agent on A (with the reason); the server\'s other key stays', async () => {
      const { server, key } = await provisionServer(a, alice);
      const other = await createApiKey(a, alice, server.id);
      const revoked = await on(a, key.key);
      await b.http().post(`/api/v1/api-keys/${key.id}/deactivate`).set(alice.auth).expect(200);
      await waitFor(() => revoked.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(revoked.reasons).toEqual(['api key revoked']);
      expect(revoked.disconnected()).toBe('io server disconnect');
      // The server keeps its other key: an agent with it connects (on either instance).
      const replacement = await on(b, other.key);
      expect(replacement.socket.connected).toBe(true);
    });

    it('a key deleted on B disconnects its agent on A', async () => {
      const { key } = await provisionServer(a, alice);
      const agent = await on(a, key.key);
      await b.http().delete(`/api/v1/api-keys/${key.id}`).set(alice.auth).expect(204);
      await waitFor(() => agent.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(agent.reasons).toEqual(['api key revoked']);
    });

    it('a server deleted on B disconnects its agent on A; other servers\' agents stay', async () => {
      const doomed = await provisionServer(a, alice);
      const kept = await provisionServer(a, alice);
      const agent = await on(a, doomed.key.key);
      const bystander = await on(a, kept.key.key);
      await b.http().delete(`/api/v1/servers/${doomed.server.id}`).set(alice.auth).expect(204);
      await waitFor(() => agent.disconnected(), (r) => r !== null, 5000, 'the agent on A to be closed');
      expect(agent.reasons).toEqual(['server deleted']);
      await waitFor(() => a.app.get(AgentManager).isConnected(doomed.server.id), (c) => !c, 5000, 'A to forget the connection');
      expect(bystander.socket.connected).toBe(true);
      expect(await statusOf(kept.server.id)).toBe('online');
    });
  });

  describe('one agent per server across instances', () => {
    const connectionEvents = async (serverId: string) =>
      (await a.db.query('SELECT event FROM connection_events WHERE server_id = $1 ORDER BY id', [serverId])).rows.map((r) => r.event as string);

    it('a second connection of the server on B replaces the one on A, as on one instance; the server stays online', async () => {
      const { server, key } = await provisionServer(a, alice);
      const first = await on(a, key.key);
      const second = await on(b, key.key);
      await waitFor(() => first.disconnected(), (r) => r !== null, 5000, 'the older connection on A to be closed');
      expect(first.reasons).toEqual(['replaced by a newer connection']);
      await waitFor(() => a.app.get(AgentManager).isConnected(server.id), (c) => !c, 5000, 'A to let go of it');
      expect(b.app.get(AgentManager).isConnected(server.id)).toBe(true);
      expect(second.socket.connected).toBe(true);
      // The replaced connection's disconnect on A does not mark offline a server B holds.
      await waitFor(() => connectionEvents(server.id), (e) => e.filter((x) => x === 'disconnected').length === 1, 5000, 'the disconnect recorded');
      expect(await statusOf(server.id)).toBe('online');
      expect((await connectionEvents(server.id)).filter((e) => e === 'replaced')).toHaveLength(1);

      // The connection that holds the server does mark it offline when it goes.
      second.close();
      await waitFor(() => statusOf(server.id), (s) => s === 'offline', 5000, 'the server to go offline');
    });

    it('two connections of one server racing on A and B settle on exactly one, and the server is online', async () => {
      const { server, key } = await provisionServer(a, alice);
      for (let round = 0; round < 3; round++) {
        const racing = await Promise.all([on(a, key.key), on(b, key.key)]);
        await waitFor(() => racing.filter((x) => x.disconnected() === null).length, (n) => n === 1, 5000, 'one connection left');
        const held = [a, b].filter((t) => t.app.get(AgentManager).isConnected(server.id));
        expect(held).toHaveLength(1);
        expect(await statusOf(server.id)).toBe('online');
        const survivor = racing.find((x) => x.disconnected() === null)!;
        expect(survivor.socket.connected).toBe(true);
        survivor.close();
        await waitFor(() => statusOf(server.id), (s) => s === 'offline', 5000, 'the server to go offline');
      }
    });
  });

  describe('the latest sample across instances', () => {
    const latestOn = (t: TestApp, serverId: string) => t.http().get(`/api/v1/metrics/${serverId}`).set(alice.auth);

    it('B answers the latest sample of an agent on A (not 404), and follows newer ones; also an instance that just started', async () => {
      const { server, key } = await provisionServer(a, alice);
      const agent = await on(a, key.key);
      const hello = makeHello();
      agent.socket.emit('hello', hello);
      const first = makeSample(1, hello.bootId, { cpu: { percent: 41 } });
      expect(await sendMetrics(agent.socket, first)).toEqual({ ok: true, seq: 1 });
      const seen = await waitFor(() => latestOn(b, server.id), (r) => r.status === 200, 5000, 'the sample on B');
      expect(seen.body).toMatchObject({ serverId: server.id, timestamp: first.timestamp, sample: { seq: 1, cpu: { percent: 41 } } });

      // B read it once; a newer sample on A replaces it on B too (no stale copy held on B).
      const second = makeSample(2, hello.bootId, { cpu: { percent: 42 }, timestamp: new Date(Date.parse(first.timestamp) + 1000).toISOString() });
      expect(await sendMetrics(agent.socket, second)).toEqual({ ok: true, seq: 2 });
      await waitFor(() => latestOn(b, server.id), (r) => r.body?.sample?.seq === 2, 5000, 'the newer sample on B');

      // Nothing is persisted to PostgreSQL yet (every 30 s): a third instance started now answers from Redis.
      expect((await a.db.query('SELECT 1 FROM metric_latest WHERE server_id = $1', [server.id])).rowCount).toBe(0);
      // (Closed with the others in afterAll: Nest apps in one process share TypeORM's named data
      // sources, and closing one mid-suite disconnects the others'.)
      late = await startTestApp({ REDIS_URL: TEST_REDIS_URL }, { dbUrl: a.dbUrl });
      const res = await latestOn(late, server.id).expect(200);
      expect(res.body).toMatchObject({ serverId: server.id, sample: { seq: 2, cpu: { percent: 42 } } });
    });

    it('B answers the last process list with a newer sample that has none; the list is written to Redis only when it changes', async () => {
      const { server, key } = await provisionServer(a, alice);
      const agent = await on(a, key.key);
      const hello = makeHello();
      agent.socket.emit('hello', hello);
      const list = [{ pid: 1, name: 'init', user: 'root', cpuPercent: 0.1, memBytes: 4096 }, { pid: 42, name: 'postgres', user: 'postgres', cpuPercent: 3, memBytes: 1e8 }];
      const first = makeSample(1, hello.bootId, { processes: list });
      expect(await sendMetrics(agent.socket, first)).toEqual({ ok: true, seq: 1 });
      const second = makeSample(2, hello.bootId, { timestamp: new Date(Date.parse(first.timestamp) + 1000).toISOString() });
      expect(await sendMetrics(agent.socket, second)).toEqual({ ok: true, seq: 2 });

      const seen = await waitFor(() => latestOn(b, server.id), (r) => r.body?.sample?.seq === 2, 5000, 'the second sample on B');
      expect(seen.body.sample.processes).toBeUndefined();
      expect(seen.body.processes).toEqual({ timestamp: first.timestamp, list });
      // The sample key carries no process list (it was ~2/3 of each write); the list has its own key.
      const shared = JSON.parse((await redis!.get(`chatops:shared:latest:${server.id}`))!);
      expect(shared).toMatchObject({ serverId: server.id, sample: { seq: 2 } });
      expect(shared.processes).toBeUndefined();
      expect(JSON.parse((await redis!.get(`chatops:shared:processes:${server.id}`))!)).toEqual({ timestamp: first.timestamp, list });
    });
  });

  describe('scheduled work runs on one instance at a time', () => {
    it('a rollup pass (and retention) on B is skipped while A holds the job, and runs once A is done', async () => {
      let release!: () => void;
      let entered = false;
      const held = runExclusive(a.app.get(DataSource), 'metrics-rollup', () => new Promise<void>((resolve) => { entered = true; release = resolve; }));
      await waitFor(() => entered, Boolean, 5000, 'A to hold the rollup job');
      const skipped = await b.app.get(MetricsRollupService).run();
      expect(skipped).toMatchObject({ ranElsewhere: true, dirtyBuckets: 0, deleted: {} });
      release();
      expect(await held).toEqual({ ran: true, value: undefined });
      const ran = await b.app.get(MetricsRollupService).run();
      expect(ran.ranElsewhere).toBeUndefined();

      const retention = await runExclusive(a.app.get(DataSource), 'connection-events-retention', async () => {
        // Inside A's turn B does nothing (0 rows, no error).
        expect(await b.app.get(ConnectionEventsRetention).run()).toBe(0);
        return 'a';
      });
      expect(retention).toEqual({ ran: true, value: 'a' });
    });
  });

  describe('instance presence', () => {
    it('an instance that loses its presence for a moment has its servers marked offline by the other, then online again', async () => {
      const { server, key } = await provisionServer(a, alice);
      const agent = await on(a, key.key);
      expect(await statusOf(server.id)).toBe('online');
      // A's presence connection is cut (a database failover, a network blip): to B, A looks dead.
      // The call waits (up to 5 s) until that session has ended and its lock is gone: without the
      // timeout it only signals, and under load B's sweep below could still find the lock held.
      const { rows } = await a.db.query(
        'SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = \'advisory\' AND classid = $1::bigint::oid AND objid = $2::bigint::oid',
        [PRESENCE_LOCK_CLASS, a.app.get(InstancePresence).id],
      );
      expect(rows).toHaveLength(1);
      await b.app.get(AgentManager).sweepDeadInstances();
      expect(await statusOf(server.id)).toBe('offline');
      // A takes its lock again and says so for the agents it still holds.
      await waitFor(() => statusOf(server.id), (s) => s === 'online', 10_000, 'the server online again');
      expect(agent.socket.connected).toBe(true);
    });
  });
});
