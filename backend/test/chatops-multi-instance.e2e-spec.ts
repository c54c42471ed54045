import type { Redis } from 'ioredis';
import type { ChatMessageResponse, CommandRequest } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { connectTestRedis, TEST_REDIS_URL } from './support/redis';

/**
 * A confirmation issued by one backend instance is honoured by another (tokens live in
 * PostgreSQL), exactly once across both; the command reaches the agent connected to the first
 * instance through Redis.
 */
describe('chatops confirmations across two instances', () => {
  let redis: Redis | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    redis = await connectTestRedis();
    a = await startTestApp({ REDIS_URL: TEST_REDIS_URL });
    b = await startTestApp({ REDIS_URL: TEST_REDIS_URL }, { dbUrl: a.dbUrl });
    await registerUser(a); // the admin
    alice = await registerUser(a);
  });
  afterAll(async () => {
    agent?.close();
    await b?.close();
    await a?.close();
    redis?.disconnect();
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
