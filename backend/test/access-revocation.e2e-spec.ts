import type { ChatMessageResponse, LiveContainerLogsSubscribeAck, LiveTerminalOpenAck, Team } from '@chatops/protocol';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { healthyDocker } from './support/docker-agent';
import { collect, connectLive, LiveClient } from './support/live-client';

/**
 * What a user already has open on a server ends when their access to it changes, not only what
 * they ask for next: a team admin's terminal ends when they are made operator (the terminal is an
 * admin capability), their followed container log (dashboard and chat) when they leave the team or
 * the server moves away from it. Real backend, a simulated agent with the terminal and Docker on.
 */
describe('access revocation of open sessions', () => {
  let t: TestApp;
  let alice: TestUser; // the team's creator (admin)
  let bob: TestUser; // a member whose role changes
  let agent: TestAgent;
  let serverId = '';
  let serverName = '';
  let team: Team;
  const terminalCloses: string[] = [];
  const logStops: string[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await registerUser(t); // the instance admin
    alice = await registerUser(t);
    bob = await registerUser(t);
    const { server, key } = await provisionServer(t, alice);
    serverId = server.id;
    serverName = server.name;
    agent = await connectAgent(t.baseUrl, key.key);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: true, terminal: true } }));
    agent.socket.on('terminal_open', (_req, ack) => ack({ ok: true }));
    agent.socket.on('terminal_close', ({ sessionId }) => terminalCloses.push(sessionId));
    agent.socket.on('docker', async (req, ack) => {
      const reply = await healthyDocker(req);
      if (reply) ack(reply);
    });
    agent.socket.on('docker_logs_stop', ({ streamId }) => logStops.push(streamId));
    await waitFor(() => t.http().get(`/api/v1/servers/${serverId}`).set(alice.auth), (r) => r.body.agent?.capabilities?.terminal === true, 5000, 'hello recorded');

    team = (await t.http().post('/api/v1/teams').set(alice.auth).send({ name: `ops-${Date.now()}` }).expect(201)).body;
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username, role: 'admin' }).expect(201);
    await t.http().put(`/api/v1/servers/${serverId}/owner`).set(alice.auth).send({ teamId: team.id }).expect(200);
  });
  afterEach(() => {
    for (const l of lives.splice(0)) l.close();
  });
  afterAll(async () => {
    agent?.close();
    await t?.close();
  });

  const browser = async (user: TestUser): Promise<LiveClient> => {
    const live = await connectLive(t.baseUrl, user.accessToken);
    lives.push(live);
    return live;
  };
  const setRole = (role: string) => t.http().put(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(alice.auth).send({ role }).expect(200);
  const follow = async (live: LiveClient): Promise<string> => {
    const ack: LiveContainerLogsSubscribeAck = await live.timeout(5000).emitWithAck('container_logs_subscribe', { serverId, containerId: 'web' });
    if (!ack.ok) throw new Error(`follow refused: ${JSON.stringify(ack)}`);
    return ack.streamId;
  };

  it('ends a team admin\'s terminal when they become an operator; their followed log, which operators may read, goes on', async () => {
    const live = await browser(bob);
    const exits = collect(live, 'terminal_exit');
    const logEnds = collect(live, 'container_logs_end');
    const opened: LiveTerminalOpenAck = await live.timeout(5000).emitWithAck('terminal_open', { serverId, cols: 80, rows: 24 });
    if (!opened.ok) throw new Error(`open refused: ${JSON.stringify(opened)}`);
    const streamId = await follow(live);

    await setRole('operator');
    await waitFor(() => exits, (e) => e.length === 1, 5000, 'terminal_exit at the browser');
    expect(exits).toEqual([{ sessionId: opened.sessionId, exitCode: null, reason: 'access_revoked' }]);
    await waitFor(() => terminalCloses, (c) => c.includes(opened.sessionId), 5000, 'terminal_close at the agent');
    const row = await waitFor(async () => (await t.db.query('SELECT end_reason, ended_at FROM terminal_sessions WHERE id = $1', [opened.sessionId])).rows[0], (r) => r?.ended_at !== null, 5000, 'the session row ended');
    expect(row.end_reason).toBe('access_revoked');
    const audit = (await t.db.query(`SELECT description FROM audit_logs WHERE action = 'terminal.close' AND server_id = $1`, [serverId])).rows;
    expect(audit).toEqual([{ description: expect.stringContaining('(access_revoked)') }]);
    // The input of a revoked session goes nowhere.
    expect(await live.timeout(5000).emitWithAck('terminal_input', { sessionId: opened.sessionId, data: 'id\r' })).toEqual({ ok: false, error: 'not_found' });

    await new Promise((r) => setTimeout(r, 500));
    expect(logEnds).toEqual([]);
    expect(logStops).not.toContain(streamId);
    // A new terminal is refused outright now.
    expect(await live.timeout(5000).emitWithAck('terminal_open', { serverId, cols: 80, rows: 24 })).toEqual({ ok: false, error: 'forbidden' });
    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId })).toEqual({ ok: true });
  });

  it('ends followed logs (dashboard and chat) of a member who is removed from the team, and stops them at the agent', async () => {
    await setRole('viewer');
    const live = await browser(bob);
    const logEnds = collect(live, 'container_logs_end');
    const chatEnds = collect(live, 'chat_stream_end');
    const streamId = await follow(live);
    const chat: ChatMessageResponse = (await t.http().post('/api/v1/chatops/messages').set(bob.auth).send({ text: `logs web on ${serverName} follow`, stream: true }).expect(200)).body;
    const chatStream = chat.reply.stream!.id;
    expect(chat.reply.stream).toMatchObject({ state: 'running', kind: 'logs' });

    await t.http().delete(`/api/v1/teams/${team.id}/members/${bob.user.id}`).set(alice.auth).expect(204);
    await waitFor(() => logEnds, (e) => e.length === 1, 5000, 'container_logs_end at the browser');
    expect(logEnds).toEqual([{ serverId, streamId, containerId: 'web', reason: 'access_revoked' }]);
    await waitFor(() => chatEnds, (e) => e.length === 1, 5000, 'chat_stream_end at the browser');
    expect(chatEnds[0]).toMatchObject({ streamId: chatStream, reason: 'access_revoked' });
    await waitFor(() => logStops, (s) => s.includes(streamId) && s.includes(chatStream), 5000, 'docker_logs_stop of both at the agent');
    const [stored] = (await t.db.query(`SELECT reply FROM chat_messages WHERE reply->'stream'->>'id' = $1`, [chatStream])).rows;
    expect(stored.reply.stream.state).toBe('ended');
    expect(stored.reply.title).toContain('no longer read');
  });

  it('ends them when the server moves away from the team, and leaves everyone else\'s alone', async () => {
    await t.http().post(`/api/v1/teams/${team.id}/members`).set(alice.auth).send({ user: bob.user.username, role: 'viewer' }).expect(201);
    const bobs = await browser(bob);
    const alices = await browser(alice);
    const bobEnds = collect(bobs, 'container_logs_end');
    const aliceEnds = collect(alices, 'container_logs_end');
    const bobStream = await follow(bobs);
    const aliceStream = await follow(alices);

    // Back to alice's own servers: bob (a team viewer) loses it, alice (its new owner) keeps it.
    await t.http().put(`/api/v1/servers/${serverId}/owner`).set(alice.auth).send({ teamId: null }).expect(200);
    await waitFor(() => bobEnds, (e) => e.length === 1, 5000, 'bob\'s container_logs_end');
    expect(bobEnds[0]).toMatchObject({ streamId: bobStream, reason: 'access_revoked' });
    await new Promise((r) => setTimeout(r, 500));
    expect(aliceEnds).toEqual([]);
    expect(logStops).not.toContain(aliceStream);
  });
});
