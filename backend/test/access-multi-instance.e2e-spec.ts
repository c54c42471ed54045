import type { FleetSummary, Server } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { InstancePair, startInstancePair } from './support/instances';
import { collect, connectLive, LiveClient } from './support/live-client';

/** A change is in effect on every instance within this (the relay is one Redis round trip; the machine may be loaded). */
const WITHIN_MS = 5000;

/**
 * A server that changes hands through one instance is routed to its new viewers by every
 * instance: the agent is on A and every browser on B, and the server moves through A and through
 * B. The instance holding the agent builds the fleet summaries, so it must learn of a move made
 * through the other (the relayed `server.owner_changed`); the browsers that lost sight of the server
 * stop receiving its summaries and live samples, those that gained it start.
 */
describe('access changes across two instances (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let mover: TestUser; // admin of both teams, the server's first owner
  let one: TestUser; // viewer in team one only
  let two: TestUser; // viewer in team two only
  let teamOne: string;
  let teamTwo: string;
  let server: Server;
  let agent: TestAgent | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    await registerUser(a); // the instance admin: the users below are plain users
    [mover, one, two] = [await registerUser(a), await registerUser(a), await registerUser(a)];
    const team = async (name: string, viewer: TestUser) => {
      const id = (await a.http().post('/api/v1/teams').set(mover.auth).send({ name }).expect(201)).body.id as string;
      await a.http().post(`/api/v1/teams/${id}/members`).set(mover.auth).send({ user: viewer.user.username, role: 'viewer' }).expect(201);
      return id;
    };
    teamOne = await team('one', one);
    teamTwo = await team('two', two);

    const provisioned = await provisionServer(a, mover);
    server = provisioned.server;
    agent = await connectAgent(a.baseUrl, provisioned.key.key);
    const hello = makeHello();
    agent.socket.emit('hello', hello);
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(mover.auth), (r) => r.body.status === 'online', 10_000, 'the agent online');
    // A sample every 300 ms: fleet summaries (at most one a second) and live samples keep coming.
    let seq = 0;
    ticker = setInterval(() => void sendMetrics(agent!.socket, makeSample(++seq, hello.bootId)).catch(() => undefined), 300);
  });
  afterAll(async () => {
    clearInterval(ticker);
    for (const s of sockets) s.close();
    agent?.close();
    await pair?.close();
  });

  /** A browser of `user` on B watching the fleet and, once it may, the server's live samples. */
  async function browserOnB(user: TestUser) {
    const socket = await connectLive(b.baseUrl, user.accessToken);
    sockets.push(socket);
    const summaries = collect(socket, 'fleet_summary');
    const samples = collect(socket, 'metrics');
    expect(await socket.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    return {
      socket,
      summaries: () => summaries.filter((s: FleetSummary) => s.serverId === server.id).length,
      samples: () => samples.filter((m: { serverId: string }) => m.serverId === server.id).length,
      subscribe: () => socket.timeout(5000).emitWithAck('subscribe', { serverId: server.id }),
    };
  }
  type Browser = Awaited<ReturnType<typeof browserOnB>>;

  const move = (via: TestApp, teamId: string) =>
    via.http().put(`/api/v1/servers/${server.id}/owner`).set(mover.auth).send({ teamId }).expect(200);

  /** `gainer` starts receiving the server's summaries and (once subscribed) samples; `loser` gets neither any more. */
  async function handsOver(gainer: Browser, loser: Browser) {
    const from = gainer.summaries();
    await waitFor(() => gainer.summaries(), (n) => n >= from + 2, WITHIN_MS, 'fleet summaries for the new viewer');
    expect(await gainer.subscribe()).toEqual({ ok: true });
    const sampled = gainer.samples();
    await waitFor(() => gainer.samples(), (n) => n >= sampled + 2, WITHIN_MS, 'live samples for the new viewer');
    // Everything sent to the old viewer before the change was published ahead of what the new one
    // just received (one adapter channel from A): from here on the old viewer must get nothing.
    const before = { summaries: loser.summaries(), samples: loser.samples() };
    const seen = { summaries: gainer.summaries(), samples: gainer.samples() };
    await waitFor(() => gainer.summaries(), (n) => n >= seen.summaries + 2, WITHIN_MS, 'more summaries for the new viewer');
    expect(gainer.samples()).toBeGreaterThan(seen.samples);
    expect({ summaries: loser.summaries(), samples: loser.samples() }).toEqual(before);
    // ... and may no longer subscribe.
    expect(await loser.subscribe()).toEqual({ ok: false, error: 'not_found' });
  }

  it('routes fleet summaries and live samples to whoever may see the server now, whichever instance moved it', async () => {
    const viewerOne = await browserOnB(one);
    const viewerTwo = await browserOnB(two);
    expect(await viewerOne.subscribe()).toEqual({ ok: false, error: 'not_found' });

    // Through A, which holds the agent: team one's viewer gains the server.
    await move(a, teamOne);
    const from = viewerOne.summaries();
    await waitFor(() => viewerOne.summaries(), (n) => n >= from + 2, WITHIN_MS, 'fleet summaries for team one');
    expect(await viewerOne.subscribe()).toEqual({ ok: true });
    await waitFor(() => viewerOne.samples(), (n) => n >= 2, WITHIN_MS, 'live samples for team one');
    expect(viewerTwo.summaries()).toBe(0);
    expect(viewerTwo.samples()).toBe(0);

    // Through B: A routes the server to team two only if it learnt of the move.
    await move(b, teamTwo);
    await handsOver(viewerTwo, viewerOne);

    // Back through A: team two's viewer, subscribed on B, is dropped from the server's room there.
    await move(a, teamOne);
    await handsOver(viewerOne, viewerTwo);
  });

  it('a team membership change through A reaches the members\' browsers on B (no instance keeps a stale view)', async () => {
    await move(a, teamOne);
    const viewerOne = await browserOnB(one);
    const viewerTwo = await browserOnB(two);
    expect(await viewerOne.subscribe()).toEqual({ ok: true });
    await waitFor(() => viewerOne.samples(), (n) => n >= 1, WITHIN_MS, 'live samples for team one');

    // Two joins team one and one leaves it, both through A: two's fleet socket on B joins the team's room, one's leaves it.
    await a.http().post(`/api/v1/teams/${teamOne}/members`).set(mover.auth).send({ user: two.user.username, role: 'viewer' }).expect(201);
    await a.http().delete(`/api/v1/teams/${teamOne}/members/${one.user.id}`).set(mover.auth).expect(204);
    await handsOver(viewerTwo, viewerOne);
  });

  it('a role change through A ends the terminal a member has open through B (the relayed team change)', async () => {
    const own = await provisionServer(a, mover);
    const shellAgent = await connectAgent(a.baseUrl, own.key.key);
    try {
      shellAgent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: true } }));
      shellAgent.socket.on('terminal_open', (_req, ack) => ack({ ok: true }));
      const closed: string[] = [];
      shellAgent.socket.on('terminal_close', ({ sessionId }) => closed.push(sessionId));
      await waitFor(() => a.http().get(`/api/v1/servers/${own.server.id}`).set(mover.auth), (r) => r.body.agent?.capabilities?.terminal === true, 10_000, 'hello recorded');
      await a.http().put(`/api/v1/servers/${own.server.id}/owner`).set(mover.auth).send({ teamId: teamTwo }).expect(200);
      await a.http().put(`/api/v1/teams/${teamTwo}/members/${two.user.id}`).set(mover.auth).send({ role: 'admin' }).expect(200);

      const socket = await connectLive(b.baseUrl, two.accessToken);
      sockets.push(socket);
      const exits = collect(socket, 'terminal_exit');
      const opened = await socket.timeout(5000).emitWithAck('terminal_open', { serverId: own.server.id, cols: 80, rows: 24 });
      if (!opened.ok) throw new Error(`open refused: ${JSON.stringify(opened)}`);

      await a.http().put(`/api/v1/teams/${teamTwo}/members/${two.user.id}`).set(mover.auth).send({ role: 'viewer' }).expect(200);
      await waitFor(() => exits, (e) => e.length === 1, WITHIN_MS, 'terminal_exit on B');
      expect(exits).toEqual([{ sessionId: opened.sessionId, exitCode: null, reason: 'access_revoked' }]);
      await waitFor(() => closed, (c) => c.includes(opened.sessionId), WITHIN_MS, 'terminal_close at the agent on A');
    } finally {
      shellAgent.close();
    }
  });
});
