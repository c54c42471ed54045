import type { ChatMessageResponse, CommandRequest } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * A confirmation issued by one backend instance is honoured by another (tokens live in
 * PostgreSQL), exactly once across both; the command reaches the agent connected to the first
 * instance through Redis.
 */
describe('chatops confirmations across two instances', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    pair = await startInstancePair(); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    await registerUser(a); // the admin
    alice = await registerUser(a);
  });
  afterAll(async () => {
    agent?.close();
    await pair?.close();
  });

  const say = async (t: TestApp, text: string): Promise<ChatMessageResponse> =>
    (await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text }).expect(200)).body;

  it('confirms on B what A asked, runs it once on the agent connected to A', async () => {
    const { server, key } = await provisionServer(a, alice, `multi-${Date.now()}`);
    agent = await connectAgent(a.baseUrl, key.key);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: false } }));
    const received: CommandRequest[] = [];
    agent.socket.on('command', (req, ack) => {
      received.push(req);
      ack({ commandId: req.commandId, exitCode: 0, stdout: 'from A\n', stderr: '', durationMs: 2, timedOut: false, truncated: false });
    });
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.exec === true, 10_000, 'hello recorded');

    const { confirm } = (await say(a, `run ${server.name} -- echo from A`)).reply;
    const done = (await say(b, `confirm ${confirm!.token}`)).reply;
    expect(done).toMatchObject({ text: 'from A\n', title: expect.stringContaining('completed') });
    expect((await say(a, `confirm ${confirm!.token}`)).reply.error).toMatchObject({ code: 'chat.confirm_used' });
    expect(received.map((r) => r.command)).toEqual(['echo from A']);
  });
});
