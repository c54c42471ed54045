import type { CommandRequest, LiveContainerLogsSubscribeAck } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { healthyDocker, LOGS } from './support/docker-agent';
import { collect, connectLive, LiveClient } from './support/live-client';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * The agent on instance A, the user on instance B (one PostgreSQL database, the real Redis): a
 * command and a Docker action issued through B run on the agent at A, and a container log followed
 * from a browser on B streams from it and ends when the agent goes.
 */
describe('commands, Docker and log follows across two instances (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    await registerUser(a); // the admin
    alice = await registerUser(a);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const live of lives) live.close();
    await pair?.close();
  });

  /** A server whose simulated agent, connected to A, runs commands and answers Docker requests. */
  async function agentOnA() {
    const { server, key } = await provisionServer(a, alice);
    const agent = await connectAgent(a.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: true, terminal: false } }));
    const commands: CommandRequest[] = [];
    agent.socket.on('command', (req, ack) => {
      commands.push(req);
      ack({ commandId: req.commandId, exitCode: 0, stdout: 'ran on the agent at A\n', stderr: '', durationMs: 3, timedOut: false, truncated: false });
    });
    agent.socket.on('docker', async (req, ack) => {
      const reply = await healthyDocker(req);
      if (reply) ack(reply);
    });
    await waitFor(() => b.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.docker === true, 5000, 'hello recorded');
    return { server, agent, commands };
  }

  it('runs a command and a Docker action issued through B on the agent at A', async () => {
    const { server, commands } = await agentOnA();
    const ran = await b.http().post(`/api/v1/commands/${server.id}`).set(alice.auth).send({ command: 'hostname' }).expect(200);
    expect(ran.body).toMatchObject({ status: 'completed', exitCode: 0, output: 'ran on the agent at A\n' });
    expect(commands).toEqual([expect.objectContaining({ command: 'hostname' })]);

    const restarted = await b.http().post(`/api/v1/docker/${server.id}/containers/web/restart`).set(alice.auth).expect(200);
    expect(restarted.body).toMatchObject({ ok: true, action: 'restart', containerId: 'web', name: 'web' });
    const listed = await b.http().get(`/api/v1/docker/${server.id}/containers`).set(alice.auth).expect(200);
    expect(listed.body.map((c: { name: string }) => c.name)).toEqual(['web', 'db']);
  });

  it('streams a log followed from a browser on B, and ends it there when the agent on A goes', async () => {
    const { server, agent } = await agentOnA();
    const live = await connectLive(b.baseUrl, alice.accessToken);
    lives.push(live);
    const lines = collect(live, 'container_logs');
    const ends = collect(live, 'container_logs_end');
    const ack: LiveContainerLogsSubscribeAck = await live.timeout(5000).emitWithAck('container_logs_subscribe', { serverId: server.id, containerId: 'web' });
    if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    agent.socket.emit('container_logs', { streamId: ack.streamId, containerId: 'web', lines: LOGS.lines });
    await waitFor(() => lines.length, (n) => n === 1, 5000, 'log lines at the browser on B');
    expect(lines).toEqual([{ serverId: server.id, streamId: ack.streamId, containerId: 'web', lines: LOGS.lines }]);
    agent.close();
    await waitFor(() => ends.length, (n) => n === 1, 5000, 'the end of the follow on B');
    expect(ends).toEqual([{ serverId: server.id, streamId: ack.streamId, containerId: 'web', reason: 'agent_disconnected' }]);
  });
});
