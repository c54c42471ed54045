import type { ChatMessageResponse, CommandRequest, DockerLogsStop, DockerRequest } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { BackendProcess, startBackendProcess } from './support/backend-process';
import { healthyDocker } from './support/docker-agent';
import { InstancePair, startInstancePair } from './support/instances';
import { collect, connectLive, LiveClient } from './support/live-client';

/** The dead-instance sweep runs every 5 s on each instance: two rounds plus slack on a loaded machine. */
const ENDED_WITHIN_MS = 15_000;

/**
 * Chat streams started through an instance that is killed (SIGKILL: no hook runs) do not stay
 * "running": the surviving instances end them (`instance_stopped`), store the final card, tell the
 * user's sockets on their side, stop the followed log at the agent and audit it.
 */
describe('chat streams of a dead instance (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let doomed: BackendProcess | undefined;
  let alice: TestUser;
  let agent: TestAgent | undefined;
  let browser: LiveClient | undefined;

  beforeAll(async () => {
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    await registerUser(a); // the admin
    alice = await registerUser(a);
  });
  afterAll(async () => {
    browser?.close();
    agent?.close();
    await doomed?.kill();
    await pair?.close();
  });

  it('ends a streamed run and a followed log started through an instance killed with SIGKILL, once, on the survivors', async () => {
    // The agent on A: Docker answers, commands are held (their answer would go to the dead instance).
    const { server, key } = await provisionServer(a, alice);
    agent = await connectAgent(a.baseUrl, key.key);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: true, terminal: false } }));
    const commands: CommandRequest[] = [];
    const dockerRequests: DockerRequest[] = [];
    const stops: DockerLogsStop[] = [];
    agent.socket.on('command', (req) => commands.push(req));
    agent.socket.on('docker', async (req, ack) => {
      dockerRequests.push(req);
      ack((await healthyDocker(req))!);
    });
    agent.socket.on('docker_logs_stop', (stop) => stops.push(stop));
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.docker === true, 10_000, 'hello recorded');

    browser = await connectLive(b.baseUrl, alice.accessToken);
    const ends = collect(browser, 'chat_stream_end');

    // Both streams are started through a third, real process.
    doomed = await startBackendProcess(a.dbUrl);
    const say = async (body: object): Promise<ChatMessageResponse> => {
      const res = await fetch(`${doomed!.url}/api/v1/chatops/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...alice.auth }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as ChatMessageResponse;
    };
    const asked = await say({ text: `run ${server.name} -- sleep 600` });
    const run = await say({ text: `confirm ${asked.reply.confirm!.token}`, stream: true });
    const follow = await say({ text: `logs web on ${server.name} follow`, stream: true });
    expect(run.reply.stream).toMatchObject({ kind: 'run', state: 'running' });
    expect(follow.reply.stream).toMatchObject({ kind: 'logs', state: 'running' });
    await waitFor(() => commands.length, (n) => n === 1, 10_000, 'the command at the agent');
    expect(dockerRequests.find((r) => r.action === 'logs' && (r.options as { follow?: boolean } | undefined)?.follow)?.options).toMatchObject({ follow: true, streamId: follow.reply.stream!.id });
    // Still running a few sweeps later while the instance lives.
    await new Promise((r) => setTimeout(r, 6000));
    expect(ends).toEqual([]);

    const killedAt = Date.now();
    await doomed.kill();
    await waitFor(() => ends.length, (n) => n === 2, ENDED_WITHIN_MS, 'chat_stream_end for both streams on B');
    expect(Date.now() - killedAt).toBeLessThan(ENDED_WITHIN_MS);

    const runEnd = ends.find((e) => e.streamId === run.reply.stream!.id)!;
    const followEnd = ends.find((e) => e.streamId === follow.reply.stream!.id)!;
    expect(runEnd).toMatchObject({
      messageId: run.id, reason: 'instance_stopped', exitCode: null,
      reply: {
        title: `sleep 600 on ${server.name}: interrupted`,
        error: { code: 'chat.stream_interrupted', message: expect.stringContaining('the backend instance running it stopped') },
        stream: { id: run.reply.stream!.id, kind: 'run', state: 'ended', stoppable: false },
      },
    });
    expect(followEnd).toMatchObject({
      messageId: follow.id, reason: 'instance_stopped', exitCode: null,
      reply: { title: 'Logs of web: stopped: the backend instance running it stopped', stream: { kind: 'logs', state: 'ended' } },
    });
    // The agent stops sending the followed log nobody would end.
    await waitFor(() => stops, (s) => s.length === 1, 5000, 'docker_logs_stop at the agent');
    expect(stops[0]).toEqual({ streamId: follow.reply.stream!.id });

    // Stored: either survivor's history has the final cards; ended once, audited once each.
    const history = (await b.http().get('/api/v1/chatops/history').set(alice.auth).expect(200)).body.items as Array<{ id: string; ok: boolean; reply: unknown }>;
    expect(history.find((i) => i.id === run.id)).toMatchObject({ ok: false, reply: runEnd.reply });
    expect(history.find((i) => i.id === follow.id)).toMatchObject({ ok: true, reply: followEnd.reply });
    await new Promise((r) => setTimeout(r, 6000)); // another sweep round on both survivors
    expect(ends).toHaveLength(2);
    const audited = (await a.db.query(`SELECT description, success, server_id FROM audit_logs WHERE user_id = $1 AND action = 'chatops.stream_end' ORDER BY description`, [alice.user.id])).rows;
    expect(audited).toEqual([
      { description: 'Chat stream "Following web on ' + server.name + '" ended: the backend instance running it stopped (via chat, dashboard)', success: false, server_id: server.id },
      { description: `Chat stream "sleep 600 on ${server.name}" ended: the backend instance running it stopped (via chat, dashboard)`, success: false, server_id: server.id },
    ]);
    // The command itself is closed by the command sweep, as any command of a dead instance.
    const [cmd] = (await a.db.query('SELECT status, error FROM command_history WHERE id = $1', [run.reply.stream!.id])).rows;
    expect(cmd).toEqual({ status: 'failed', error: 'interrupted: the backend instance running it stopped' });
  });
});
