import { randomUUID } from 'node:crypto';
import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { HandshakeFailures } from '../src/modules/agents/handshake-failures.service';
import type { DockerResult } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import {
  connectAgent, expectConnectError, makeHello, makeSample, provisionServer, sendMetrics, TestAgent,
} from './support/agent-client';

/** The agent channel as a user sees it: who may connect, server status, replacement, revocation. */
describe('agents channel', () => {
  let t: TestApp;
  let user: TestUser;
  const open: TestAgent[] = [];
  const track = (a: TestAgent) => (open.push(a), a);

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t);
  });
  afterEach(() => { for (const a of open.splice(0)) a.close(); });
  afterAll(async () => { await t.close(); });

  const getServer = async (id: string) => (await t.http().get(`/api/v1/servers/${id}`).set(user.auth).expect(200)).body;
  const connEvents = async (serverId: string | null, event: string) =>
    (await t.db.query('SELECT * FROM connection_events WHERE event = $1 AND server_id IS NOT DISTINCT FROM $2 ORDER BY id', [event, serverId])).rows;
  /** Failed handshakes recorded so far: rows, and the attempts they count. */
  const authFailures = async (): Promise<{ rows: number; attempts: number }> =>
    (await t.db.query(`SELECT count(*)::int AS rows, coalesce(sum(attempts), 0)::int AS attempts FROM connection_events WHERE event = 'auth_failed'`)).rows[0];
  /** The same, once the counts held in memory are written. */
  const flushedAuthFailures = async () => {
    await t.app.get(HandshakeFailures).flush();
    return authFailures();
  };

  describe('handshake', () => {
    it('accepts a valid key with auth_success {serverId, serverName}', async () => {
      const { server, key } = await provisionServer(t, user, 'web-01');
      const agent = track(await connectAgent(t.baseUrl, key.key));
      expect(agent.auth).toEqual({ serverId: server.id, serverName: 'web-01' });
    });

    it('refuses unknown, malformed and missing keys with "unauthorized" and records auth_failed', async () => {
      const before = await flushedAuthFailures();
      expect(await expectConnectError(t.baseUrl, 'cok_' + 'A'.repeat(43))).toBe('unauthorized');
      expect(await expectConnectError(t.baseUrl, 'not-a-key')).toBe('unauthorized');
      expect(await expectConnectError(t.baseUrl, undefined)).toBe('unauthorized');
      expect(await expectConnectError(t.baseUrl, { $ne: null })).toBe('unauthorized');
      // Counted per client IP and minute, one row with a count (agents-handshake-failures.e2e-spec.ts).
      await waitFor(flushedAuthFailures, (f) => f.attempts === before.attempts + 4, 10_000, 'four counted auth failures');
      const rows = await connEvents(null, 'auth_failed');
      expect(rows[rows.length - 1].ip).toBeTruthy();
    });

    it('refuses a deactivated key', async () => {
      const { key } = await provisionServer(t, user);
      await t.http().post(`/api/v1/api-keys/${key.id}/deactivate`).set(user.auth).expect(200);
      expect(await expectConnectError(t.baseUrl, key.key)).toBe('unauthorized');
    });

    it('refuses an expired key', async () => {
      const { key } = await provisionServer(t, user);
      await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [key.id]);
      const before = await flushedAuthFailures();
      expect(await expectConnectError(t.baseUrl, key.key)).toBe('unauthorized');
      await waitFor(flushedAuthFailures, (f) => f.attempts === before.attempts + 1, 10_000, 'a counted auth failure');
    });
  });

  describe('status', () => {
    it('goes online with the agent info on hello, and offline with a duration on disconnect', async () => {
      const { server, key } = await provisionServer(t, user);
      expect((await getServer(server.id)).status).toBe('unknown');
      const agent = track(await connectAgent(t.baseUrl, key.key));
      const hello = makeHello({ agentVersion: '1.2.3', hostname: 'db-7', os: 'linux Ubuntu 24.04', arch: 'arm64', capabilities: { exec: true, docker: false, terminal: true } });
      agent.socket.emit('hello', hello);

      const online = await waitFor(() => getServer(server.id), (s) => s.status === 'online' && s.agent !== null, 10_000, 'online with agent info');
      expect(online.agent).toEqual({ version: '1.2.3', hostname: 'db-7', os: 'linux Ubuntu 24.04', arch: 'arm64', capabilities: { exec: true, docker: false, terminal: true }, intervalSec: 5 });
      expect(online.lastSeen).toBeTruthy();
      const connected = await connEvents(server.id, 'connected');
      expect(connected).toHaveLength(1);
      expect(connected[0].api_key_id).toBe(key.id);

      agent.close();
      const offline = await waitFor(() => getServer(server.id), (s) => s.status === 'offline', 10_000, 'offline');
      expect(offline.agent.version).toBe('1.2.3'); // the last known agent stays visible
      const disc = await waitFor(() => connEvents(server.id, 'disconnected'), (r) => r.length === 1, 10_000, 'disconnected row');
      expect(Number(disc[0].duration_ms)).toBeGreaterThanOrEqual(0);
    });

    it('records hello before the next frame is handled', async () => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      const hello = makeHello({ hostname: 'ordered' });
      agent.socket.emit('hello', hello);
      const ack = await sendMetrics(agent.socket, makeSample(0, hello.bootId));
      expect(ack).toEqual({ ok: true, seq: 0 });
      expect((await getServer(server.id)).agent?.hostname).toBe('ordered');
    });

    it('marks a silent agent offline after AGENT_STALE_INTERVALS intervals', async () => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      agent.socket.emit('hello', makeHello({ intervalSec: 1 }));
      await waitFor(() => getServer(server.id), (s) => s.status === 'online', 10_000, 'online');
      const started = Date.now();
      await waitFor(() => getServer(server.id), (s) => s.status === 'offline', 30_000, 'offline after silence');
      // Not before AGENT_STALE_INTERVALS (3) intervals of 1 s: the stale check starts at the last frame.
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      await waitFor(() => agent.disconnected(), Boolean, 10_000, 'agent disconnected');
      expect(agent.reasons.join()).toMatch(/no frame/);
    });

    it('keeps an agent that reports on time online', async () => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      const hello = makeHello({ intervalSec: 1 });
      agent.socket.emit('hello', hello);
      const until = Date.now() + 4500;
      for (let seq = 0; Date.now() < until; seq++) {
        expect((await sendMetrics(agent.socket, makeSample(seq, hello.bootId))).ok).toBe(true);
        await new Promise((r) => setTimeout(r, 500)); // the agent's own reporting interval
      }
      expect((await getServer(server.id)).status).toBe('online');
      expect(agent.disconnected()).toBeNull();
    });
  });

  describe('one agent per server', () => {
    it('a newer connection replaces the older one, which is told why', async () => {
      const { server, key } = await provisionServer(t, user);
      const first = track(await connectAgent(t.baseUrl, key.key));
      const hello1 = makeHello({ hostname: 'first' });
      first.socket.emit('hello', hello1);
      await waitFor(() => getServer(server.id), (s) => s.agent?.hostname === 'first', 10_000, 'first hello');

      const second = track(await connectAgent(t.baseUrl, key.key));
      const hello2 = makeHello({ hostname: 'second' });
      second.socket.emit('hello', hello2);
      await waitFor(() => first.disconnected(), Boolean, 10_000, 'first disconnected');
      expect(first.reasons.join()).toMatch(/replaced/);
      expect(second.disconnected()).toBeNull();

      const s = await waitFor(() => getServer(server.id), (x) => x.agent?.hostname === 'second', 10_000, 'second hello');
      expect(s.status).toBe('online'); // the old connection's disconnect does not flip it offline
      expect((await sendMetrics(second.socket, makeSample(0, hello2.bootId))).ok).toBe(true);
      const latest = await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(200);
      expect(latest.body.sample.bootId).toBe(hello2.bootId);
      expect(await connEvents(server.id, 'replaced')).toHaveLength(1);
    });

    it('routes server → agent requests to the live connection', async () => {
      const { server, key } = await provisionServer(t, user);
      const first = track(await connectAgent(t.baseUrl, key.key));
      const answer = (name: string): DockerResult => ({
        ok: true, data: [{ id: 'a'.repeat(64), name, image: 'busybox', state: 'running', status: 'Up', createdAt: new Date(0).toISOString(), ports: [] }],
      });
      first.socket.on('docker', (_req, ack) => ack(answer('first')));
      const second = track(await connectAgent(t.baseUrl, key.key));
      second.socket.on('docker', (_req, ack) => ack(answer('second')));
      await waitFor(() => first.disconnected(), Boolean, 10_000, 'first disconnected');
      const { AgentManager } = await import('../src/modules/agents/agent-manager.service');
      const manager = t.app.get(AgentManager);
      const reply = await manager.request(server.id, 'docker', { requestId: randomUUID(), action: 'list' }, 2000);
      expect(reply).toEqual(answer('second'));
    });
  });

  describe('typed requests and stream events', () => {
    const manager = async () => t.app.get((await import('../src/modules/agents/agent-manager.service')).AgentManager);

    it('ends a waiting request at once when the agent disconnects (agent.lost), not at the timeout', async () => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      agent.socket.on('docker', () => agent.close()); // never answers: goes away instead
      const started = Date.now();
      await expect((await manager()).request(server.id, 'docker', { requestId: randomUUID(), action: 'list' }, 60_000))
        .rejects.toMatchObject({ code: 'agent.lost', status: 503 });
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it('answers agent.not_connected for a server without an agent and agent.timeout for a silent one', async () => {
      const { server, key } = await provisionServer(t, user);
      const m = await manager();
      await expect(m.request(server.id, 'docker', { requestId: randomUUID(), action: 'list' }, 1000))
        .rejects.toMatchObject({ code: 'agent.not_connected', status: 503 });
      track(await connectAgent(t.baseUrl, key.key)); // connected, never answers
      await expect(m.request(server.id, 'docker', { requestId: randomUUID(), action: 'list' }, 300))
        .rejects.toMatchObject({ code: 'agent.timeout', status: 504 });
    });

    it('republishes valid stream frames as agent.<event> with the server id and drops invalid ones', async () => {
      const { server, key } = await provisionServer(t, user);
      const { EventEmitter2 } = await import('@nestjs/event-emitter');
      const bus = t.app.get(EventEmitter2);
      const seen: unknown[] = [];
      const listener = (payload: unknown) => seen.push(payload);
      bus.on('agent.command_output', listener);
      try {
        const agent = track(await connectAgent(t.baseUrl, key.key));
        const commandId = randomUUID();
        agent.socket.emit('command_output', { commandId, stream: 'stdout', data: 'x'.repeat(10) });
        // Invalid: wrong stream name, missing data. Sent before the marker, so they would arrive first.
        agent.socket.emit('command_output', { commandId, stream: 'stdin', data: 'no' } as never);
        agent.socket.emit('command_output', { commandId } as never);
        agent.socket.emit('command_output', { commandId, stream: 'stderr', data: 'marker' });
        await waitFor(async () => seen, (s) => s.length >= 2, 3000, 'stream events');
        expect(seen).toEqual([
          { commandId, stream: 'stdout', data: 'x'.repeat(10), serverId: server.id },
          { commandId, stream: 'stderr', data: 'marker', serverId: server.id },
        ]);
      } finally {
        bus.off('agent.command_output', listener);
      }
    });

    it('holds stream frames sent right after hello until the hello is recorded, in their order', async () => {
      const { server, key } = await provisionServer(t, user);
      const { EventEmitter2 } = await import('@nestjs/event-emitter');
      const bus = t.app.get(EventEmitter2);
      const manager = t.app.get(AgentManager);
      let recorded = false;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const original = manager.recordHello.bind(manager);
      const slowHello = jest.spyOn(manager, 'recordHello').mockImplementation(async (...args) => {
        await gate; // the database is slow to record this hello
        await original(...args);
        recorded = true;
      });
      const seen: Array<{ data: string; afterHello: boolean }> = [];
      const listener = (p: { data: string }) => seen.push({ data: p.data, afterHello: recorded });
      bus.on('agent.command_output', listener);
      try {
        const agent = track(await connectAgent(t.baseUrl, key.key));
        const commandId = randomUUID();
        agent.socket.emit('hello', makeHello({ hostname: 'streams-wait' }));
        for (const data of ['one', 'two', 'three']) agent.socket.emit('command_output', { commandId, stream: 'stdout', data });
        await waitFor(() => slowHello.mock.calls.length, (n) => n === 1, 3000, 'the hello to be handled');
        await new Promise((r) => setTimeout(r, 200));
        expect(seen).toEqual([]); // not before the hello is recorded
        release();
        await waitFor(() => seen.length, (n) => n === 3, 3000, 'the held stream frames');
        expect(seen).toEqual([{ data: 'one', afterHello: true }, { data: 'two', afterHello: true }, { data: 'three', afterHello: true }]);
        expect((await getServer(server.id)).agent?.hostname).toBe('streams-wait');
      } finally {
        bus.off('agent.command_output', listener);
        slowHello.mockRestore();
        release();
      }
    });
  });

  describe('revocation', () => {
    // Pushed at once by an event: the deadline is far below the 60 s periodic key re-check, which
    // would otherwise be the one to notice.
    it.each(['deactivate', 'delete'])('%s of the key disconnects its agent at once', async (how) => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      agent.socket.emit('hello', makeHello());
      await waitFor(() => getServer(server.id), (s) => s.status === 'online', 10_000, 'online');
      if (how === 'deactivate') await t.http().post(`/api/v1/api-keys/${key.id}/deactivate`).set(user.auth).expect(200);
      else await t.http().delete(`/api/v1/api-keys/${key.id}`).set(user.auth).expect(204);
      await waitFor(() => agent.disconnected(), Boolean, 15_000, 'agent disconnected');
      expect(agent.reasons.join()).toMatch(/revoked/);
      await waitFor(() => getServer(server.id), (s) => s.status === 'offline', 15_000, 'offline');
      expect(await expectConnectError(t.baseUrl, key.key)).toBe('unauthorized');
    });

    it('deleting the server disconnects its agent and removes its samples', async () => {
      const { server, key } = await provisionServer(t, user);
      const agent = track(await connectAgent(t.baseUrl, key.key));
      const hello = makeHello();
      agent.socket.emit('hello', hello);
      for (let seq = 0; seq < 3; seq++) expect((await sendMetrics(agent.socket, makeSample(seq, hello.bootId))).ok).toBe(true);
      const count = async () => Number((await t.db.query('SELECT count(*) FROM metric_samples WHERE server_id = $1', [server.id])).rows[0].count);
      expect(await count()).toBe(3);

      await t.http().delete(`/api/v1/servers/${server.id}`).set(user.auth).expect(204);
      await waitFor(() => agent.disconnected(), Boolean, 10_000, 'agent disconnected');
      expect(agent.reasons.join()).toMatch(/deleted/);
      expect(await count()).toBe(0);
      await t.http().get(`/api/v1/metrics/${server.id}`).set(user.auth).expect(404);
      expect(await expectConnectError(t.baseUrl, key.key)).toBe('unauthorized');
    });
  });
});
