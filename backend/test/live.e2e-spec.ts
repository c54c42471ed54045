import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { io, Socket } from 'socket.io-client';
import type { FleetSummary, MetricsAck, MetricsBatchAck, MetricsSample, ServerStatusEvent, SubscribeAck } from '@chatops/protocol';
import { LiveService } from '../src/modules/live/live.service';
import { serverRoom } from '../src/modules/live/live-socket';
import { createApiKey, createServer, registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

/**
 * The browsers' live channel against a real backend: real Socket.IO browsers on /live and a
 * simulated agent on /agents that speaks the agent protocol (api key, hello, acked samples).
 */
describe('live channel (/live)', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await registerUser(t); // the first user is the admin
    alice = await registerUser(t);
    bob = await registerUser(t);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  // ---- helpers ---------------------------------------------------------------------------

  const open = (path: string, auth: Record<string, unknown>): Socket => {
    const s = io(`${t.baseUrl}${path}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    return s;
  };
  const connected = (s: Socket) =>
    new Promise<Socket>((resolve, reject) => {
      if (s.connected) return resolve(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  const browser = (user: TestUser | string) => connected(open('/live', { token: typeof user === 'string' ? user : user.accessToken }));

  let bootSeq = 0;
  /** A connected simulated agent: authenticated, hello sent; `send` resolves with the ack. */
  async function agent(user: TestUser, serverId: string) {
    const { key } = await createApiKey(t, user, serverId);
    const s = open('/agents', { apiKey: key });
    await new Promise<void>((resolve, reject) => {
      s.once('auth_success', () => resolve());
      s.once('connect_error', reject);
    });
    const bootId = `boot-${++bootSeq}`;
    s.emit('hello', {
      agentVersion: '1.0.0', hostname: 'test-host', os: 'linux', arch: 'x64', bootId, intervalSec: 5,
      capabilities: { exec: false, docker: false, terminal: false },
    });
    let seq = 0;
    return {
      socket: s,
      sample: (over: Partial<MetricsSample> & { at?: number } = {}) => sample(bootId, ++seq, over),
      send: (m: MetricsSample) => s.timeout(5000).emitWithAck('metrics', m) as Promise<MetricsAck>,
      sendBatch: (samples: MetricsSample[]) => s.timeout(5000).emitWithAck('metricsBatch', { samples }) as Promise<MetricsBatchAck>,
    };
  }

  function sample(bootId: string, seq: number, { at, ...over }: Partial<MetricsSample> & { at?: number } = {}): MetricsSample {
    return {
      seq,
      bootId,
      timestamp: new Date(at ?? Date.now()).toISOString(),
      cpu: { percent: 12.5, perCore: [10, 15], load: [0.5, 0.4, 0.3], cores: 2 },
      memory: { totalBytes: 8e9, usedBytes: 4e9, availableBytes: 4e9, percent: 50, swapTotalBytes: 0, swapUsedBytes: 0 },
      disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 2.5e10, percent: 25 }],
      network: [{ iface: 'eth0', rxBytes: 1000, txBytes: 2000, rxBps: 10, txBps: 20 }],
      ...over,
    };
  }

  /** Records every `event` a socket receives, with its arrival time. */
  function record<T>(s: Socket, event: string) {
    const got: { at: number; payload: T }[] = [];
    s.on(event, (payload: T) => got.push({ at: performance.now(), payload }));
    return got;
  }
  const subscribe = (s: Socket, serverId: unknown) => s.timeout(5000).emitWithAck('subscribe', { serverId }) as Promise<SubscribeAck>;
  /**
   * A round trip on the socket: Socket.IO delivers a connection's packets in order, so anything the
   * server emitted to this socket before it answered has arrived once this resolves. Absence checks
   * wait for such a marker instead of a pause that a slow machine can outlast.
   */
  const roundTrip = (s: Socket) => s.timeout(10_000).emitWithAck('subscribe', { serverId: 'marker' });

  // ---- handshake -------------------------------------------------------------------------

  it('refuses a missing, malformed or forged token with connect_error "unauthorized"', async () => {
    const forged = sign({ sub: alice.user.id, username: alice.user.username, role: 'admin', pwv: 0, jti: randomUUID() }, 'not-the-secret', { expiresIn: 60 });
    for (const auth of [{}, { token: 42 }, { token: 'garbage' }, { token: forged }, { token: 'x'.repeat(10_000) }]) {
      const err = await connected(open('/live', auth)).then(() => null, (e: Error) => e);
      expect(err?.message).toBe('unauthorized');
    }
  });

  it('keeps no credential in a connected socket\'s handshake, which fetchSockets() sends to the other instances', async () => {
    const server = await createServer(t, alice);
    const a = await agent(alice, server.id);
    const b = await browser(alice);
    expect(await subscribe(b, server.id)).toEqual({ ok: true });
    const live = (t.app.get(LiveService) as unknown as { namespace: { fetchSockets(): Promise<{ id: string; handshake: { auth: object } }[]>; server: { of(nsp: string): { fetchSockets(): Promise<{ id: string; handshake: { auth: object } }[]> } } } }).namespace;
    const browsers = await live.fetchSockets();
    const agents = await live.server.of('/agents').fetchSockets();
    const handshakes = [...browsers.filter((x) => x.id === b.id), ...agents.filter((x) => x.id === a.socket.id)].map((x) => x.handshake);
    expect(handshakes).toHaveLength(2);
    for (const h of handshakes) expect(Object.keys(h.auth)).toEqual([]);
    expect(JSON.stringify(handshakes)).not.toContain(alice.accessToken);
  });

  // ---- per-server stream -----------------------------------------------------------------

  // Delivery latency is a figure, not a pass/fail bound on a shared machine:
  // `npm run bench:ingest -- --agents 200 --browsers 20` measures agent send → browser receive.
  it('delivers each acknowledged sample to a subscriber, exactly once and in order', async () => {
    const server = await createServer(t, alice);
    const a = await agent(alice, server.id);
    const b = await browser(alice);
    expect(await subscribe(b, server.id)).toEqual({ ok: true });
    const got = record<{ serverId: string; sample: MetricsSample }>(b, 'metrics');

    const sent: MetricsSample[] = [];
    for (let i = 0; i < 20; i++) {
      const m = a.sample({ cpu: { percent: i, perCore: [i], load: [0, 0, 0], cores: 1 } });
      expect(await a.send(m)).toEqual({ ok: true, seq: m.seq });
      sent.push(m);
      const hit = (await waitFor(() => got.find((g) => g.payload.sample.seq === m.seq), Boolean, 10_000, `sample ${m.seq}`))!;
      expect(hit.payload).toEqual({ serverId: server.id, sample: m });
    }
    await roundTrip(b);
    expect(got.map((g) => g.payload.sample.seq)).toEqual(sent.map((m) => m.seq)); // each exactly once, in order
  });

  it('refuses another user\'s server exactly like a missing one, and sends them nothing', async () => {
    const server = await createServer(t, alice);
    const a = await agent(alice, server.id);
    const eveUser = await registerUser(t);
    const eve = await browser(eveUser);
    const got = record<{ serverId: string }>(eve, 'metrics');
    const statuses = record<ServerStatusEvent>(eve, 'server_status');
    expect(await subscribe(eve, server.id)).toEqual({ ok: false, error: 'not_found' });
    expect(await subscribe(eve, randomUUID())).toEqual({ ok: false, error: 'not_found' });
    expect(await subscribe(eve, 'not-a-uuid')).toEqual({ ok: false, error: 'invalid' });
    // The owner and an admin may subscribe.
    const owner = await browser(alice);
    const boss = await browser(admin);
    expect(await subscribe(owner, server.id)).toEqual({ ok: true });
    expect(await subscribe(boss, server.id)).toEqual({ ok: true });
    const ownerGot = record(owner, 'metrics');
    const bossGot = record(boss, 'metrics');
    await a.send(a.sample());
    await waitFor(() => ownerGot.length + bossGot.length, (n) => n === 2, 10_000, 'owner and admin delivery');
    // Marker: eve's own server, whose agent connects and reports after alice's sample was delivered.
    const mine = await createServer(t, eveUser);
    expect(await subscribe(eve, mine.id)).toEqual({ ok: true });
    const marker = await agent(eveUser, mine.id);
    await marker.send(marker.sample());
    await waitFor(() => got.length, (n) => n >= 1, 10_000, 'the marker sample on eve\'s own server');
    await roundTrip(eve);
    expect(got.map((g) => g.payload.serverId)).toEqual([mine.id]);
    expect(statuses.map((g) => g.payload.serverId).filter((id) => id !== mine.id)).toEqual([]);
  });

  it('stops delivery after unsubscribe', async () => {
    const server = await createServer(t, alice);
    const a = await agent(alice, server.id);
    const b = await browser(alice);
    await subscribe(b, server.id);
    const got = record<{ serverId: string; sample: MetricsSample }>(b, 'metrics');
    const first = a.sample();
    await a.send(first);
    await waitFor(() => got.length, (n) => n === 1, 10_000, 'first sample');
    expect(await b.timeout(5000).emitWithAck('unsubscribe', { serverId: server.id })).toEqual({ ok: true });
    await a.send(a.sample());
    await a.send(a.sample());
    // Marker: a sample of another subscribed server, sent after those two were acknowledged.
    const other = await createServer(t, alice);
    expect(await subscribe(b, other.id)).toEqual({ ok: true });
    const o = await agent(alice, other.id);
    const marker = o.sample();
    await o.send(marker);
    await waitFor(() => got.some((g) => g.payload.serverId === other.id), Boolean, 10_000, 'the marker sample');
    expect(got.map((g) => [g.payload.serverId, g.payload.sample.seq])).toEqual([[server.id, first.seq], [other.id, marker.seq]]);
  });

  it('holds many subscriptions on one socket', async () => {
    const servers = await Promise.all([0, 1, 2, 3, 4].map(() => createServer(t, alice)));
    const b = await browser(alice);
    const acks = await Promise.all(servers.map((s) => subscribe(b, s.id)));
    expect(acks.every((x) => x.ok)).toBe(true);
    const got = record<{ serverId: string }>(b, 'metrics');
    const agents = await Promise.all(servers.slice(0, 3).map((s) => agent(alice, s.id)));
    await Promise.all(agents.map((a) => a.send(a.sample())));
    await waitFor(() => new Set(got.map((g) => g.payload.serverId)).size, (n) => n === 3, 10_000, 'three servers');
  });

  it('does not forward a replayed older sample or a replayed backlog', async () => {
    const server = await createServer(t, alice);
    const a = await agent(alice, server.id);
    const b = await browser(alice);
    await subscribe(b, server.id);
    const got = record<{ sample: MetricsSample }>(b, 'metrics');
    const now = Date.now();
    const fresh = a.sample({ at: now });
    await a.send(fresh);
    await waitFor(() => got.length, (n) => n === 1, 10_000, 'fresh sample');

    const older = a.sample({ at: now - 60_000 });
    expect(await a.send(older)).toEqual({ ok: true, seq: older.seq }); // stored...
    const backlog = Array.from({ length: 10 }, (_, i) => a.sample({ at: now - 50_000 + i * 1000 }));
    expect(await a.sendBatch(backlog)).toEqual({ ok: true, stored: 10 });

    // A newer batch (buffered while offline, replayed later) reaches browsers as its newest sample only.
    const later = Array.from({ length: 10 }, (_, i) => a.sample({ at: now + 1000 + i * 1000 }));
    expect(await a.sendBatch(later)).toEqual({ ok: true, stored: 10 });
    // Marker: one more live sample, after everything above was acknowledged.
    const marker = a.sample({ at: now + 20_000 });
    await a.send(marker);
    await waitFor(() => got.length, (n) => n >= 3, 10_000, 'the marker sample');
    await roundTrip(b);
    // The older sample and the backlog were stored but not pushed; of the later batch only its newest.
    expect(got.map((g) => g.payload.sample.seq)).toEqual([fresh.seq, later[9].seq, marker.seq]);
  });

  it('sends server_status when the agent connects and disconnects', async () => {
    const server = await createServer(t, alice);
    const b = await browser(alice);
    await subscribe(b, server.id);
    const statuses = record<ServerStatusEvent>(b, 'server_status');
    const a = await agent(alice, server.id);
    await waitFor(() => statuses.map((s) => s.payload.status), (xs) => xs.includes('online'), 10_000, 'online');
    expect(statuses[0].payload).toMatchObject({ serverId: server.id, status: 'online' });
    expect(Date.parse(statuses[0].payload.lastSeen!)).toBeGreaterThan(Date.now() - 10_000);
    a.socket.disconnect();
    await waitFor(() => statuses.map((s) => s.payload.status), (xs) => xs.includes('offline'), 10_000, 'offline');
  });

  it('drops a deleted server\'s subscribers from its room', async () => {
    const server = await createServer(t, alice);
    const b = await browser(alice);
    await subscribe(b, server.id);
    const rooms = () => (t.app.get(LiveService) as unknown as { namespace: { adapter: { rooms: Map<string, Set<string>> } } }).namespace.adapter.rooms;
    expect(rooms().get(serverRoom(server.id))?.size).toBe(1);
    await t.http().delete(`/api/v1/servers/${server.id}`).set(alice.auth).expect(204);
    await waitFor(() => rooms().has(serverRoom(server.id)), (x) => !x, 10_000, 'room emptied');
    expect(await subscribe(b, server.id)).toEqual({ ok: false, error: 'not_found' });
  });

  it('survives garbage frames and keeps serving the socket', async () => {
    const server = await createServer(t, alice);
    const b = await browser(alice);
    for (const payload of [null, 42, 'text', [], { serverId: {} }, { serverId: 'x'.repeat(100_000) }]) {
      expect(await b.timeout(5000).emitWithAck('subscribe', payload)).toEqual({ ok: false, error: 'invalid' });
      expect(await b.timeout(5000).emitWithAck('unsubscribe', payload)).toEqual({ ok: false, error: 'invalid' });
    }
    b.emit('subscribe', { serverId: server.id }); // no ack callback
    b.emit('subscribe');
    b.emit('subscribe_fleet', 'junk');
    b.emit('reauth', 'junk');
    b.emit('no_such_event', { x: 1 });
    expect(await b.timeout(5000).emitWithAck('no_such_event', {})).toEqual({ ok: false, error: 'unknown event' });
    expect(await b.timeout(5000).emitWithAck('reauth', { token: 42 })).toEqual({ ok: false, error: 'unauthorized' });
    expect(await subscribe(b, server.id)).toEqual({ ok: true });
    expect(b.connected).toBe(true);
    await t.http().get('/health').expect(200);
  });

  // ---- session expiry --------------------------------------------------------------------

  /** An access token for `user` that expires in `seconds`, signed like the backend's own. */
  async function shortToken(user: TestUser, seconds: number): Promise<string> {
    const { rows } = await t.db.query(
      `SELECT u.password_changed_at, (SELECT family_id FROM refresh_tokens r WHERE r.user_id = u.id AND r.revoked_at IS NULL LIMIT 1) AS sid
       FROM users u WHERE u.id = $1`,
      [user.user.id],
    );
    const claims = { sub: user.user.id, username: user.user.username, role: user.user.role, pwv: (rows[0].password_changed_at as Date).getTime(), sid: rows[0].sid, jti: randomUUID() };
    return sign(claims, t.config.jwtSecret, { algorithm: 'HS256', expiresIn: seconds });
  }

  it('emits session_expired and disconnects when the token expires', async () => {
    const b = await browser(await shortToken(alice, 2));
    const events: string[] = [];
    const startedAt = Date.now();
    b.on('session_expired', (p: { reason: string }) => events.push(`session_expired:${p.reason}`));
    const closed = new Promise<string>((resolve) => b.on('disconnect', (reason) => { events.push('disconnect'); resolve(reason); }));
    expect(await closed).toBe('io server disconnect');
    expect(events).toEqual(['session_expired:expired', 'disconnect']);
    expect(Date.now() - startedAt).toBeGreaterThan(900); // not before the token expired
  });

  it('extends the session on reauth with a fresh token of the same user only', async () => {
    const b = await browser(await shortToken(alice, 2));
    // Marker: a socket whose token expires no earlier than b's first one, and is never extended.
    const control = await browser(await shortToken(alice, 2));
    const controlExpired = record(control, 'session_expired');
    const expired = record(b, 'session_expired');
    expect(await b.timeout(5000).emitWithAck('reauth', { token: bob.accessToken })).toEqual({ ok: false, error: 'unauthorized' });
    expect(await b.timeout(5000).emitWithAck('reauth', { token: 'garbage' })).toEqual({ ok: false, error: 'unauthorized' });
    const res = await b.timeout(5000).emitWithAck('reauth', { token: alice.accessToken });
    expect(res).toMatchObject({ ok: true });
    expect(Date.parse(res.expiresAt)).toBeGreaterThan(Date.now() + 60_000);
    await waitFor(() => controlExpired.length, (n) => n === 1, 15_000, 'the control socket\'s token to expire');
    await roundTrip(b);
    expect(expired).toHaveLength(0);
    expect(b.connected).toBe(true);
  });

  it('ends the sockets of a session at logout, and of every other session at a password change', async () => {
    const carol = await registerUser(t);
    const login = async () => (await t.http().post('/api/v1/auth/login').send({ username: carol.user.username, password: carol.password }).expect(200)).body;
    const second = await login();
    const closedBy = (s: Socket) => {
      const events: string[] = [];
      s.on('session_expired', (p: { reason: string }) => events.push(`session_expired:${p.reason}`));
      const closed = new Promise<string[]>((resolve) => s.on('disconnect', (reason) => { events.push(reason); resolve(events); }));
      return closed;
    };
    const first = await browser(carol);
    const alsoFirst = await browser(carol);
    const other = await browser(second.accessToken);
    const firstClosed = closedBy(first);
    const alsoFirstClosed = closedBy(alsoFirst);
    const otherExpired = record(other, 'session_expired');

    // Logging out of the first session closes its two sockets, not the second session's.
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: carol.refreshToken }).expect(204);
    expect(await firstClosed).toEqual(['session_expired:revoked', 'io server disconnect']);
    expect(await alsoFirstClosed).toEqual(['session_expired:revoked', 'io server disconnect']);
    await roundTrip(other);
    expect(otherExpired).toHaveLength(0);
    expect(other.connected).toBe(true);

    // A password change from a third session closes every older socket; the new session's token works.
    const third = await login();
    const otherClosed = closedBy(other);
    const thirdSocket = await browser(third.accessToken);
    const thirdClosed = closedBy(thirdSocket);
    const changed = await t.http().post('/api/v1/auth/change-password').set({ Authorization: `Bearer ${third.accessToken}` })
      .send({ currentPassword: carol.password, newPassword: 'a brand new passphrase' }).expect(200);
    expect(await otherClosed).toEqual(['session_expired:revoked', 'io server disconnect']);
    expect(await thirdClosed).toEqual(['session_expired:revoked', 'io server disconnect']);
    const fresh = await browser(changed.body.accessToken);
    const freshExpired = record(fresh, 'session_expired');
    await roundTrip(fresh);
    expect(freshExpired).toHaveLength(0);
    expect(fresh.connected).toBe(true);
  });

  it('follows a reauth to another session of the same user', async () => {
    const dave = await registerUser(t);
    const next = (await t.http().post('/api/v1/auth/login').send({ username: dave.user.username, password: dave.password }).expect(200)).body;
    const b = await browser(dave);
    // Marker: a socket that stays on the first session, and so is ended by its logout.
    const witness = await browser(dave);
    const witnessExpired = record(witness, 'session_expired');
    expect(await b.timeout(5000).emitWithAck('reauth', { token: next.accessToken })).toMatchObject({ ok: true });
    const expired = record(b, 'session_expired');
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: dave.refreshToken }).expect(204);
    await waitFor(() => witnessExpired.length, (n) => n === 1, 10_000, 'the first session\'s other socket to end');
    await roundTrip(b);
    expect(expired).toHaveLength(0);
    expect(b.connected).toBe(true);
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: next.refreshToken }).expect(204);
    await waitFor(() => expired.length, (n) => n === 1, 10_000, 'session_expired after the new session ends');
  });

  // ---- fleet overview --------------------------------------------------------------------

  it('streams a coalesced fleet summary of only the servers the user can see', async () => {
    const mine = await Promise.all([createServer(t, bob), createServer(t, bob)]);
    const theirs = await createServer(t, alice);
    const bobBrowser = await browser(bob);
    const adminBrowser = await browser(admin);
    const bobGot = record<FleetSummary>(bobBrowser, 'fleet_summary');
    const adminGot = record<FleetSummary>(adminBrowser, 'fleet_summary');

    // Initial snapshot: one summary per visible server, delivered before the ack.
    expect(await bobBrowser.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    expect(bobGot.map((g) => g.payload.serverId).sort()).toEqual(mine.map((s) => s.id).sort());
    expect(bobGot[0].payload).toMatchObject({ status: 'unknown', cpuPercent: null, openAlerts: 0 });
    expect(await adminBrowser.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    const adminIds = new Set(adminGot.map((g) => g.payload.serverId));
    for (const s of [...mine, theirs]) expect(adminIds.has(s.id)).toBe(true);

    // Five quick samples: at most two summaries for the server within a flush interval.
    const a = await agent(bob, mine[0].id);
    const other = await agent(alice, theirs.id);
    const base = bobGot.length;
    for (let i = 1; i <= 5; i++) await a.send(a.sample({ cpu: { percent: i * 10, perCore: [i], load: [i / 10, 0, 0], cores: 1 } }));
    await other.send(other.sample());
    const last = await waitFor(
      () => bobGot.slice(base).filter((g) => g.payload.serverId === mine[0].id && g.payload.cpuPercent === 50),
      (xs) => xs.length > 0, 10_000, 'summary with the newest sample',
    );
    expect(last[0].payload).toMatchObject({ serverId: mine[0].id, status: 'online', cpuPercent: 50, memoryPercent: 50, diskPercent: 25, load1: 0.5, openAlerts: 0 });
    expect(Date.parse(last[0].payload.lastSeen!)).toBeGreaterThan(Date.now() - 10_000);
    // Marker: one more sample, sent once the cpu 50 summary was seen; its summary comes after anything
    // the first five samples still caused.
    await a.send(a.sample({ cpu: { percent: 60, perCore: [6], load: [0, 0, 0], cores: 1 } }));
    const withMarker = await waitFor(
      () => bobGot.slice(base).filter((g) => g.payload.serverId === mine[0].id),
      (xs) => xs.some((g) => g.payload.cpuPercent === 60), 10_000, 'summary of the marker sample',
    );
    const updates = withMarker.slice(0, withMarker.findIndex((g) => g.payload.cpuPercent === 60));
    // The agent's connect (status) and the five samples fall into one or two flush intervals.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(2);
    // Never another user's server; the admin sees both.
    expect(bobGot.some((g) => g.payload.serverId === theirs.id)).toBe(false);
    await waitFor(() => adminGot.some((g) => g.payload.serverId === theirs.id && g.payload.cpuPercent !== null), Boolean, 10_000, 'admin sees alice\'s server');

    // unsubscribe_fleet stops the stream; marker: a second fleet subscriber of bob's, which gets it.
    const witness = await browser(bob);
    const witnessGot = record<FleetSummary>(witness, 'fleet_summary');
    expect(await witness.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    expect(await bobBrowser.timeout(5000).emitWithAck('unsubscribe_fleet')).toEqual({ ok: true });
    const before = bobGot.length;
    const witnessBefore = witnessGot.length;
    await a.send(a.sample({ cpu: { percent: 70, perCore: [7], load: [0, 0, 0], cores: 1 } }));
    await waitFor(() => witnessGot.slice(witnessBefore).some((g) => g.payload.cpuPercent === 70), Boolean, 10_000, 'the witness to get the update');
    await roundTrip(bobBrowser);
    expect(bobGot.length).toBe(before);
  });
  it('answers the fleet snapshot from persisted latest samples after a restart', async () => {
    const server = await createServer(t, bob);
    // What a previous backend persisted: nothing of it is in this backend's memory.
    const persisted = sample('boot-before-restart', 7, { cpu: { percent: 77, perCore: [77], load: [1, 1, 1], cores: 1 } });
    await t.db.query('INSERT INTO metric_latest (server_id, ts, sample) VALUES ($1, $2, $3)', [server.id, persisted.timestamp, JSON.stringify(persisted)]);
    const b = await browser(bob);
    const got = record<FleetSummary>(b, 'fleet_summary');
    expect(await b.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    const mine = got.find((g) => g.payload.serverId === server.id);
    expect(mine?.payload).toMatchObject({ cpuPercent: 77, memoryPercent: 50, diskPercent: 25, timestamp: persisted.timestamp });
  });
});
