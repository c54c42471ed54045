import { io, Socket } from 'socket.io-client';
import type { AuthResponse } from '@chatops/protocol';
import { AgentManager } from '../src/modules/agents/agent-manager.service';
import { LiveGateway } from '../src/modules/live/live.gateway';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * Two real backend instances sharing one PostgreSQL database and the real Redis: sessions revoked
 * on instance B end the /live sockets held by instance A. B finds them with the adapter's
 * cross-instance fetchSockets(), for which A serialises each socket's `data`: a timer in there
 * once made A throw "Converting circular structure to JSON" from an adapter callback and exit.
 */
describe('live sessions across two instances (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  const sockets: Socket[] = [];
  const agents: TestAgent[] = [];
  const escaped: string[] = [];
  const onEscaped = (err: unknown) => escaped.push(err instanceof Error ? err.stack ?? err.message : String(err));

  beforeAll(async () => {
    process.on('unhandledRejection', onEscaped);
    process.on('uncaughtException', onEscaped);
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const agent of agents.splice(0)) agent.close();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onEscaped);
    process.off('uncaughtException', onEscaped);
    await pair?.close();
  });

  /** The promise's value, or a failure naming `what` after 10 s (instead of the test's timeout). */
  const within = <T>(p: Promise<T>, what: string) => Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000).unref()),
  ]);

  /** A /live socket on instance `t`, connected; `ended` resolves with what the server sent before closing it. */
  async function liveOn(t: TestApp, accessToken: string) {
    const s = io(`${t.baseUrl}/live`, { auth: { token: accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    const events: string[] = [];
    s.on('session_expired', (p: { reason: string }) => events.push(`session_expired:${p.reason}`));
    const ended = within(new Promise<string[]>((resolve) => s.on('disconnect', (reason) => { events.push(reason); resolve(events); })), 'the socket to be closed');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return { socket: s, ended };
  }

  const login = async (t: TestApp, u: TestUser): Promise<AuthResponse> =>
    (await t.http().post('/api/v1/auth/login').send({ username: u.user.username, password: u.password }).expect(200)).body;

  /** Instance A still serves REST and new sockets, and nothing escaped to the process. */
  async function aSurvived(u: TestUser) {
    await a.http().get('/health').expect(200);
    const fresh = await login(a, u);
    await a.http().get('/api/v1/auth/me').set({ Authorization: `Bearer ${fresh.accessToken}` }).expect(200);
    const probe = await liveOn(a, fresh.accessToken);
    expect(await probe.socket.timeout(5000).emitWithAck('unsubscribe_fleet')).toEqual({ ok: true });
    expect(escaped).toEqual([]);
  }

  it('a logout on B ends that session\'s sockets on A (session_expired, then closed); A keeps running', async () => {
    const u = await registerUser(b);
    const other = await login(b, u);
    const first = await liveOn(a, u.accessToken);
    const alsoFirst = await liveOn(a, u.accessToken);
    const second = await liveOn(a, other.accessToken);

    await b.http().post('/api/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
    expect(await first.ended).toEqual(['session_expired:revoked', 'io server disconnect']);
    expect(await alsoFirst.ended).toEqual(['session_expired:revoked', 'io server disconnect']);
    await aSurvived(u);
    expect(second.socket.connected).toBe(true);
  });

  it('a password change on B ends every other session\'s sockets on A; A keeps running', async () => {
    const u = await registerUser(a);
    const older = await liveOn(a, u.accessToken);
    const current = await login(b, u);
    const changed = await b.http().post('/api/v1/auth/change-password').set({ Authorization: `Bearer ${current.accessToken}` })
      .send({ currentPassword: u.password, newPassword: 'another long passphrase' }).expect(200);
    expect(await older.ended).toEqual(['session_expired:revoked', 'io server disconnect']);
    const renewed = await liveOn(a, changed.body.accessToken);
    expect(await renewed.socket.timeout(5000).emitWithAck('unsubscribe_fleet')).toEqual({ ok: true });
    await aSurvived({ ...u, password: 'another long passphrase' });
  });

  it('a reused refresh token on B revokes its family and ends its sockets on A; A keeps running', async () => {
    const u = await registerUser(a);
    const live = await liveOn(a, u.accessToken);
    await b.http().post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(200);
    // Presenting the used token again means it leaked: the whole family ends, on every instance.
    await b.http().post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
    expect(await live.ended).toEqual(['session_expired:revoked', 'io server disconnect']);
    await aSurvived(u);
  });

  it('an agent socket on A can be fetched from B: its data is plain JSON, also after hello and registration', async () => {
    const u = await registerUser(a);
    const { server, key } = await provisionServer(a, u);
    const agent = await connectAgent(a.baseUrl, key.key);
    agents.push(agent);
    const hello = makeHello();
    agent.socket.emit('hello', hello);
    const namespaceOnB = b.app.get(AgentManager)['namespace'];
    expect(namespaceOnB).not.toBeNull();
    const remote = await waitFor(() => namespaceOnB!.in(`server:${server.id}`).fetchSockets(), (s) => s.length === 1 && s[0].data.bootId !== null, 10_000, 'the agent socket seen from B');
    expect(remote[0].data).toMatchObject({ serverId: server.id, serverName: server.name, bootId: hello.bootId, intervalSec: 5, generation: expect.any(Number) });
    expect(JSON.parse(JSON.stringify(remote[0].data))).toEqual(remote[0].data);
    expect(escaped).toEqual([]);
  });

  it('a /live socket on A can be fetched from B: its data is plain JSON, also after reauth', async () => {
    const u = await registerUser(a);
    const live = await liveOn(a, u.accessToken);
    const fresh = await login(b, u);
    expect(await live.socket.timeout(5000).emitWithAck('reauth', { token: fresh.accessToken })).toMatchObject({ ok: true });
    const namespaceOnB = b.app.get(LiveGateway)['namespace'];
    const remote = await namespaceOnB!.in(`live:user:${u.user.id}`).fetchSockets();
    expect(remote).toHaveLength(1);
    expect(remote[0].data).toMatchObject({ user: { id: u.user.id }, expiresAt: expect.any(Number), sessionId: expect.any(String) });
    expect(JSON.parse(JSON.stringify(remote[0].data))).toEqual(remote[0].data);
    expect(escaped).toEqual([]);
  });
});
