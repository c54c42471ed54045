import type { ChatMessageResponse, CommandRequest } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { InstancePair, startInstancePair } from './support/instances';
import { collect, connectLive, LiveClient } from './support/live-client';
import { THROTTLE_KEY_PREFIX } from '../src/modules/auth/auth-throttler-options';
import { chatThrottleKey } from '../src/modules/chatops/chat-rate-limit.service';

/** Low enough to reach in a test; bob alone spends it (alice stays well below). */
const CHAT_LIMIT = 8;

/**
 * A confirmation issued by one backend instance is honoured by another (tokens live in
 * PostgreSQL), exactly once across both; the command reaches the agent connected to the first
 * instance through Redis. A streamed run asked on B reaches the user's sockets on both instances
 * while the agent on A runs it; the chat rate limit is one budget across the instances (Redis).
 */
describe('chatops confirmations across two instances', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let agent: TestAgent | undefined;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    // fails at once, saying how to start Redis, when it is not running
    pair = await startInstancePair({ CHAT_RATE_LIMIT: `${CHAT_LIMIT}/60` });
    ({ a, b } = pair);
    await registerUser(a); // the admin
    alice = await registerUser(a);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
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

  it('streams a run asked on B to the user\'s sockets on A and B while the agent on A runs it', async () => {
    const { server, key } = await provisionServer(a, alice, `multi-stream-${Date.now()}`);
    const streamer = await connectAgent(a.baseUrl, key.key);
    streamer.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: false } }));
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.exec === true, 10_000, 'hello recorded');
    const onA = await connectLive(a.baseUrl, alice.accessToken);
    const onB = await connectLive(b.baseUrl, alice.accessToken);
    sockets.push(onA, onB);
    const chunksA = collect(onA, 'chat_stream');
    const chunksB = collect(onB, 'chat_stream');
    const endsA = collect(onA, 'chat_stream_end');
    const endsB = collect(onB, 'chat_stream_end');
    // The agent answers only once the browsers have its first output: chunks before the end, on both instances.
    streamer.socket.on('command', (req, ack) => {
      streamer.socket.emit('command_output', { commandId: req.commandId, stream: 'stdout', data: 'first\n' });
      void waitFor(() => chunksA.length > 0 && chunksB.length > 0, Boolean, 10_000, 'the first chunk on both').then(() => {
        streamer.socket.emit('command_output', { commandId: req.commandId, stream: 'stdout', data: 'second\n' });
        ack({ commandId: req.commandId, exitCode: 0, stdout: 'first\nsecond\n', stderr: '', durationMs: 5, timedOut: false, truncated: false });
      });
    });
    try {
      const asked = (await b.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: `run ${server.name} -- echo twice` }).expect(200)).body as ChatMessageResponse;
      const running = (await b.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: `confirm ${asked.reply.confirm!.token}`, stream: true }).expect(200)).body as ChatMessageResponse;
      const streamId = running.reply.stream!.id;
      await waitFor(() => endsA.length === 1 && endsB.length === 1, Boolean, 10_000, 'the end on both');
      for (const [chunks, ends] of [[chunksA, endsA], [chunksB, endsB]] as const) {
        expect(chunks.map((c) => c.chunk).join('')).toBe('first\nsecond\n');
        expect(ends[0]).toMatchObject({ streamId, messageId: running.id, reason: 'exited', exitCode: 0, reply: { text: 'first\nsecond\n' } });
      }
      // Either instance's history has the final card.
      const entry = (await a.http().get('/api/v1/chatops/history').set(alice.auth).expect(200)).body.items.find((i: { id: string }) => i.id === running.id);
      expect(entry.reply.stream).toMatchObject({ id: streamId, state: 'ended' });
    } finally {
      streamer.close();
    }
  });

  it('counts the chat rate limit once across both instances (Redis)', async () => {
    const bob = await registerUser(a);
    const say = (t: TestApp) => t.http().post('/api/v1/chatops/messages').set(bob.auth).send({ text: 'help' });
    for (let i = 0; i < CHAT_LIMIT; i++) await say(i % 2 ? a : b).expect(200);
    expect((await say(a).expect(429)).body.code).toBe('chat.rate_limited');
    expect((await say(b).expect(429)).body.code).toBe('chat.rate_limited');
    // One counter in Redis, under a hashed key (no user id in key names).
    const hits = `${THROTTLE_KEY_PREFIX}{${chatThrottleKey({ kind: 'account', userId: bob.user.id })}:chat-account}:hits`;
    expect(Number(await pair!.redis.get(hits))).toBeGreaterThanOrEqual(CHAT_LIMIT);
  });
});
