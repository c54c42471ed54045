import type { LiveTerminalOpenAck, TerminalOpen } from '@chatops/protocol';
import { TerminalService } from '../src/modules/terminal/terminal.service';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { collect, connectLive, LiveClient } from './support/live-client';
import { InstancePair, startInstancePair } from './support/instances';

/**
 * A terminal session whose agent is on instance A and whose browser is on instance B (one
 * PostgreSQL database, the real Redis): keystrokes and output cross the instances, and the agent's
 * disconnect on A ends the session on B.
 */
describe('terminal across two instances (REDIS_URL)', () => {
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

  async function agentOnA() {
    const { server, key } = await provisionServer(a, alice);
    const agent = await connectAgent(a.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: true } }));
    const opened: TerminalOpen[] = [];
    const inputs: string[] = [];
    agent.socket.on('terminal_open', (req, ack) => { opened.push(req); ack({ ok: true }); });
    agent.socket.on('terminal_input', ({ data }) => inputs.push(data));
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent !== null, 5000, 'hello recorded');
    return { server, agent, opened, inputs };
  }
  async function browserOnB() {
    const live = await connectLive(b.baseUrl, alice.accessToken);
    lives.push(live);
    return live;
  }
  const open = async (live: LiveClient, serverId: string) => {
    const ack: LiveTerminalOpenAck = await live.timeout(5000).emitWithAck('terminal_open', { serverId, cols: 80, rows: 24 });
    if (!ack.ok) throw new Error(`open refused: ${JSON.stringify(ack)}`);
    return ack.sessionId;
  };
  const endReason = async (id: string) => (await a.db.query('SELECT end_reason FROM terminal_sessions WHERE id = $1', [id])).rows[0]?.end_reason;

  it('relays a session opened on B to the agent on A and back', async () => {
    const { server, agent, opened, inputs } = await agentOnA();
    const live = await browserOnB();
    const output = collect(live, 'terminal_output');
    const exits = collect(live, 'terminal_exit');
    const sessionId = await open(live, server.id);
    expect(opened).toEqual([{ sessionId, cols: 80, rows: 24 }]);
    expect(await live.timeout(5000).emitWithAck('terminal_input', { sessionId, data: 'uptime\r' })).toEqual({ ok: true });
    await waitFor(() => inputs.length, (n) => n === 1, 5000, 'the keystrokes at the agent');
    expect(inputs).toEqual(['uptime\r']);
    agent.socket.emit('terminal_output', { sessionId, data: ' 04:30 up 1 day\r\n' });
    await waitFor(() => output.length, (n) => n === 1, 5000, 'the output at the browser');
    expect(output).toEqual([{ sessionId, data: ' 04:30 up 1 day\r\n' }]);
    expect(await live.timeout(5000).emitWithAck('terminal_close', { sessionId })).toEqual({ ok: true });
    await waitFor(() => exits.length, (n) => n === 1, 5000, 'terminal_exit');
    expect(await waitFor(() => endReason(sessionId), Boolean, 5000, 'the session row ended')).toBe('closed');
  });

  it('ends the session on B when the agent on A disconnects, also before it sent any output', async () => {
    const { server, agent } = await agentOnA();
    const live = await browserOnB();
    const exits = collect(live, 'terminal_exit');
    const sessionId = await open(live, server.id);
    expect(b.app.get(TerminalService).openCount).toBe(1);
    agent.close();
    await waitFor(() => exits.length, (n) => n >= 1, 5000, 'terminal_exit at the browser on B');
    expect(exits).toEqual([{ sessionId, exitCode: null, reason: 'agent_disconnected' }]);
    expect(await waitFor(() => endReason(sessionId), Boolean, 5000, 'the session row ended')).toBe('agent_disconnected');
    // B let go of it: it no longer counts towards alice's open sessions.
    expect(b.app.get(TerminalService).openCount).toBe(0);
  });
});
