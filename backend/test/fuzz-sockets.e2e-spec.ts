import fc from 'fast-check';
import { io, Socket } from 'socket.io-client';
import { LatestSamples } from '../src/modules/metrics/latest-samples.service';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { AgentSocket, connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import { FUZZ_SEED, fuzzParams, fuzzSeconds, mutate, mutation, Mutation, nastyJsonText, nastyString, nastyValue } from './support/fuzz';

/**
 * Fuzzed frames on both Socket.IO namespaces, with the generators of the REST fuzz: garbage events,
 * wrong shapes, mutated samples and batches, NUL and lone surrogates, deep nesting (raw packets),
 * huge and binary payloads. Meanwhile a well-behaved agent reports every 100 ms and must get every
 * `metrics` ack; the process must stay up; an acked frame must be answered (or its connection
 * closed, for frames over the size limit or protocol errors). Time-bounded like fuzz-rest.
 */

/** Events the client library refuses to emit (reserved by Socket.IO). */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
/** Agent events the server never acknowledges (the contract: `hello` and the streamed ones carry no ack). */
const UNACKED_AGENT_EVENTS = new Set(['hello', 'command_output', 'terminal_output', 'terminal_exit']);

/** NUL or a lone surrogate, as JSON.stringify escapes them. */
const UNSTORABLE_TEXT = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

type Frame =
  | { kind: 'emit'; event: string; payload: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'binary'; event: string; size: number };

/** Writes a packet as-is on the socket's engine (Socket.IO's own encoder would refuse most of these). */
const writeRaw = (s: Socket, text: string) => (s.io as unknown as { engine: { write(data: string): void } }).engine.write(text);

describe('socket fuzz (/agents and /live)', () => {
  let t: TestApp;
  let user: TestUser;
  let good: TestAgent;
  let goodServerId: string;
  let goodSeq = 0;
  let stopHeartbeat = false;
  let heartbeat: Promise<void>;
  const goodFailures: string[] = [];
  let hostileServerId = '';

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t);
    const { server, key } = await provisionServer(t, user, 'well-behaved');
    goodServerId = server.id;
    good = await connectAgent(t.baseUrl, key.key);
    const hello = makeHello({ intervalSec: 1 });
    good.socket.emit('hello', hello);
    heartbeat = (async () => {
      while (!stopHeartbeat) {
        const seq = goodSeq++;
        try {
          const ack = await sendMetrics(good.socket, makeSample(seq, hello.bootId), 10_000);
          if (!ack.ok || ack.seq !== seq) goodFailures.push(`seq ${seq}: ${JSON.stringify(ack)}`);
        } catch (err) {
          goodFailures.push(`seq ${seq}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  });
  afterAll(async () => {
    stopHeartbeat = true;
    await heartbeat;
    good?.close();
    await t?.close();
  });

  /** Sends one frame; resolves with what to complain about, or null. */
  async function sendFrame(s: Socket, frame: Frame, expectsAck: (event: string) => boolean): Promise<string | null> {
    if (frame.kind === 'raw') {
      writeRaw(s, frame.text);
      return null;
    }
    const { event } = frame;
    const payload = frame.kind === 'binary' ? { data: Buffer.alloc(frame.size, 7), seq: 1 } : frame.payload;
    if (!expectsAck(event)) {
      s.emit(event, payload);
      await new Promise((r) => setTimeout(r, 5)); // stay under the flood limit
      return null;
    }
    try {
      const ack: unknown = await s.timeout(10_000).emitWithAck(event, payload);
      if (!ack || typeof ack !== 'object' || typeof (ack as { ok?: unknown }).ok !== 'boolean') return `an ack without {ok}: ${JSON.stringify(ack)?.slice(0, 200)}`;
      // A stored sample with text PostgreSQL cannot store would break later writes (latest samples).
      const held = event === 'metrics' && (ack as { ok: boolean }).ok ? t.app.get(LatestSamples).peek(hostileServerId) : undefined;
      if (held && held.sample.seq === (ack as { seq?: unknown }).seq && UNSTORABLE_TEXT.test(JSON.stringify(held.sample))) {
        return 'accepted and kept a sample with NUL or a lone surrogate';
      }
      return null;
    } catch (err) {
      // Closed for the frame's size, a protocol error or a flood: allowed. Silence on an open socket is not.
      if (!s.connected) return null;
      return `no answer to an acked "${event.slice(0, 40)}" frame on an open socket (${(err as Error).message})`;
    }
  }

  const describeFrame = (f: Frame) => JSON.stringify(f, (_k, v: unknown) => (typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}… (${v.length} chars)` : v)).slice(0, 1500);

  async function fuzz(name: string, seedOffset: number, budgetMs: number, frames: fc.Arbitrary<Frame>, socket: () => Promise<Socket>, expectsAck: (event: string) => boolean) {
    let sent = 0;
    let failure: string | null = null;
    try {
      await fc.assert(fc.asyncProperty(frames, async (frame) => {
        const s = await socket();
        sent++;
        const problem = await sendFrame(s, frame, expectsAck);
        if (problem) {
          failure = `${name}: ${problem}\n  frame:  ${describeFrame(frame)}\n  replay: FUZZ_SEED=${FUZZ_SEED}`;
          throw new Error(failure);
        }
      }), fuzzParams(seedOffset, budgetMs));
    } catch (err) {
      return { sent, failure: failure ?? `${name}: ${(err as Error).message.slice(0, 2000)}` };
    }
    return { sent, failure: null };
  }

  it('answers or drops every hostile frame on /agents and /live while a well-behaved agent keeps its acks', async () => {
    const totalMs = fuzzSeconds(20) * 1000;
    const { server: hostileServer, key } = await provisionServer(t, user, 'hostile');
    hostileServerId = hostileServer.id;
    const bootId = makeHello().bootId;

    // ---- /agents ------------------------------------------------------------------------
    let agent: AgentSocket | null = null;
    const agentSocket = async (): Promise<Socket> => {
      if (!agent?.connected) {
        agent?.close();
        agent = (await connectAgent(t.baseUrl, key.key)).socket;
        agent.emit('hello', makeHello({ bootId }));
      }
      return agent as unknown as Socket;
    };
    let seq = 0;
    const sample = fc.array(mutation, { maxLength: 3 }).map((ms: Mutation[]) => (ms.length ? mutate(makeSample(++seq, bootId), ms) : makeSample(++seq, bootId)));
    const agentEvent = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('metrics', 'metrics', 'metricsBatch', 'hello', 'command_output', 'terminal_output', 'terminal_exit') },
      { weight: 2, arbitrary: nastyString.filter((e) => !RESERVED.has(e) && e.length < 200) },
    );
    const agentPayload = fc.oneof(
      { weight: 4, arbitrary: sample },
      { weight: 2, arbitrary: fc.array(sample, { maxLength: 5 }).map((samples) => ({ samples })) },
      { weight: 1, arbitrary: fc.array(mutation, { maxLength: 3 }).map((ms) => mutate(makeHello({ bootId }), ms)) },
      { weight: 3, arbitrary: nastyValue },
      { weight: 1, arbitrary: fc.integer({ min: 1_050_000, max: 1_500_000 }).map((n) => ({ ...makeSample(++seq, bootId), padding: 'x'.repeat(n) })) },
    );
    const agentFrames: fc.Arbitrary<Frame> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('emit' as const), event: agentEvent, payload: agentPayload }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(nastyJsonText.map((j) => `2/agents,["metrics",${j}]`), nastyJsonText.map((j) => `2/agents,${j}`), nastyString) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), event: fc.constantFrom('metrics', 'metricsBatch', 'hello', 'x'), size: fc.integer({ min: 0, max: 200_000 }) }) },
    );
    const agents = await fuzz('/agents', 0, totalMs * 0.6, agentFrames, agentSocket, (e) => !UNACKED_AGENT_EVENTS.has(e));
    (agent as AgentSocket | null)?.close();

    // ---- /live --------------------------------------------------------------------------
    let browser: Socket | null = null;
    const liveSocket = async (): Promise<Socket> => {
      if (!browser?.connected) {
        browser?.close();
        const s = io(`${t.baseUrl}/live`, { auth: { token: user.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); });
        browser = s;
      }
      return browser;
    };
    const liveEvent = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('subscribe', 'unsubscribe', 'subscribe_fleet', 'unsubscribe_fleet', 'reauth', 'terminal_open', 'terminal_input', 'terminal_resize', 'terminal_close', 'chat_stream_stop') },
      { weight: 2, arbitrary: nastyString.filter((e) => !RESERVED.has(e) && e.length < 200) },
    );
    const livePayload = fc.oneof(
      fc.record({ serverId: fc.oneof(fc.constant(goodServerId), fc.constant(hostileServer.id), fc.uuid(), nastyString) }),
      fc.record({ serverId: fc.constant(goodServerId), sessionId: fc.oneof(fc.uuid(), nastyString), cols: nastyValue, rows: nastyValue, data: nastyValue }, { requiredKeys: [] }),
      fc.record({ token: fc.oneof(fc.constant(user.accessToken), nastyString) }),
      fc.record({ streamId: fc.oneof(fc.uuid(), nastyString, nastyValue) }),
      nastyValue,
      fc.integer({ min: 1_050_000, max: 1_300_000 }).map((n) => ({ serverId: 'x'.repeat(n) })),
    );
    const liveFrames: fc.Arbitrary<Frame> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('emit' as const), event: liveEvent, payload: livePayload }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(nastyJsonText.map((j) => `2/live,["subscribe",${j}]`), nastyJsonText.map((j) => `2/live,${j}`)) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), event: fc.constantFrom('subscribe', 'reauth', 'x'), size: fc.integer({ min: 0, max: 200_000 }) }) },
    );
    const live = await fuzz('/live', 1, totalMs * 0.4, liveFrames, liveSocket, () => true);
    (browser as Socket | null)?.close();

    process.stdout.write(`socket fuzz: ${agents.sent} frames on /agents, ${live.sent} on /live, seed ${FUZZ_SEED}\n`);
    expect([agents.failure, live.failure].filter(Boolean)).toEqual([]);
    expect(agents.sent).toBeGreaterThan(20);
    expect(live.sent).toBeGreaterThan(20);

    // Still up, still serving; the well-behaved agent was answered throughout.
    await t.http().get('/health').expect(200);
    const acked = goodSeq;
    await waitFor(() => goodSeq, (n) => n >= acked + 3, 10_000, 'fresh acks for the well-behaved agent');
    expect(goodFailures).toEqual([]);
    expect(good.disconnected()).toBeNull();
    // Nothing PostgreSQL cannot store got in (NUL, lone surrogates: JSON.stringify escapes both),
    // and latest samples still persist, the good one included.
    const latest = t.app.get(LatestSamples);
    expect(JSON.stringify(latest.peek(hostileServer.id) ?? null)).not.toMatch(UNSTORABLE_TEXT);
    await latest.persist();
    const saved = await t.db.query('SELECT received_at FROM metric_latest WHERE server_id = $1', [goodServerId]);
    expect(saved.rowCount).toBe(1);
  }, fuzzSeconds(20) * 1000 + 60_000);
});
