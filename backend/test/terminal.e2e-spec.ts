import type { LiveTerminalOpenAck, TerminalOpen, TerminalOpenAck } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { collect, connectLive, LiveClient } from './support/live-client';

/** The terminal relay with simulated agents and real browser sockets. */
describe('terminal', () => {
  let t: TestApp;
  let alice: TestUser;
  let mallory: TestUser;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await registerUser(t); // the admin
    alice = await registerUser(t);
    mallory = await registerUser(t);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const l of lives.splice(0)) l.close();
  });
  afterAll(async () => { await t.close(); });

  /** A server whose simulated agent has the terminal on and records what it is sent. */
  async function serverWithAgent(user = alice, opts: { terminal?: boolean; answer?: (req: TerminalOpen) => TerminalOpenAck } = {}) {
    const { server, key } = await provisionServer(t, user);
    const agent = await connectAgent(t.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: opts.terminal ?? true } }));
    const opened: TerminalOpen[] = [];
    const inputs: string[] = [];
    const resizes: string[] = [];
    const closed: string[] = [];
    agent.socket.on('terminal_open', (req, ack) => { opened.push(req); ack(opts.answer?.(req) ?? { ok: true }); });
    agent.socket.on('terminal_input', ({ data }) => inputs.push(data));
    agent.socket.on('terminal_resize', ({ cols, rows }) => resizes.push(`${cols}x${rows}`));
    agent.socket.on('terminal_close', ({ sessionId }) => closed.push(sessionId));
    await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.agent !== null, 5000, 'hello recorded');
    return { server, agent, opened, inputs, resizes, closed };
  }
  async function browser(user = alice) {
    const live = await connectLive(t.baseUrl, user.accessToken);
    lives.push(live);
    return live;
  }
  const openTerminal = (live: LiveClient, serverId: string, cols = 80, rows = 24): Promise<LiveTerminalOpenAck> =>
    live.timeout(5000).emitWithAck('terminal_open', { serverId, cols, rows });
  const sessionRow = async (id: string) => (await t.db.query('SELECT * FROM terminal_sessions WHERE id = $1', [id])).rows[0];

  it('relays a session both ways, records it as asciicast v2 and audits open and close', async () => {
    const { server, agent, opened, inputs, resizes, closed } = await serverWithAgent();
    const live = await browser();
    const output = collect(live, 'terminal_output');
    const exits = collect(live, 'terminal_exit');

    const ack = await openTerminal(live, server.id, 100, 30);
    if (!ack.ok) throw new Error(`open refused: ${JSON.stringify(ack)}`);
    const { sessionId } = ack;
    expect(opened).toEqual([{ sessionId, cols: 100, rows: 30 }]);

    expect(await live.timeout(5000).emitWithAck('terminal_input', { sessionId, data: 'echo hi\r' })).toEqual({ ok: true });
    await waitFor(() => inputs, (i) => i.length === 1, 5000, 'input at the agent');
    expect(inputs).toEqual(['echo hi\r']);
    agent.socket.emit('terminal_output', { sessionId, data: 'echo hi\r\nhi\r\n$ ' });
    await waitFor(() => output, (o) => o.length === 1, 5000, 'output at the browser');
    expect(output).toEqual([{ sessionId, data: 'echo hi\r\nhi\r\n$ ' }]);
    expect(await live.timeout(5000).emitWithAck('terminal_resize', { sessionId, cols: 120, rows: 40 })).toEqual({ ok: true });
    await waitFor(() => resizes, (r) => r.length === 1, 5000, 'resize at the agent');
    expect(resizes).toEqual(['120x40']);

    expect(await live.timeout(5000).emitWithAck('terminal_close', { sessionId })).toEqual({ ok: true });
    await waitFor(() => closed, (c) => c.length === 1, 5000, 'close at the agent');
    await waitFor(() => exits, (e) => e.length === 1, 5000, 'terminal_exit');
    expect(exits).toEqual([{ sessionId, exitCode: null, reason: 'closed' }]);
    const row = await waitFor(() => sessionRow(sessionId), (r) => r.ended_at !== null, 5000, 'session ended');
    expect(row).toMatchObject({ end_reason: 'closed', server_id: server.id, user_id: alice.user.id, cols: 100, rows: 30 });
    expect(Number(row.bytes_in)).toBe(8);
    expect(Number(row.bytes_out)).toBe(15);

    const list = await t.http().get(`/api/v1/terminal/${server.id}/sessions`).set(alice.auth).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: sessionId, username: alice.user.username, endReason: 'closed', bytesIn: 8, bytesOut: 15, recordingTruncated: false })]);
    const rec = await t.http().get(`/api/v1/terminal/sessions/${sessionId}/recording`).set(alice.auth).expect(200);
    expect(rec.headers['content-type']).toMatch(/^application\/x-asciicast/);
    const [header, ...events] = rec.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(header).toMatchObject({ version: 2, width: 100, height: 30, timestamp: expect.any(Number) });
    expect(events.map(([, kind, data]) => [kind, data])).toEqual([['i', 'echo hi\r'], ['o', 'echo hi\r\nhi\r\n$ '], ['r', '120x40']]);
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
    const download = await t.http().get(`/api/v1/terminal/sessions/${sessionId}/recording?download=1`).set(alice.auth).expect(200);
    expect(download.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename=".+-${sessionId}\\.cast"$`));

    const audit = (await t.db.query(`SELECT action, description FROM audit_logs WHERE server_id = $1 AND action LIKE 'terminal.%' ORDER BY created_at`, [server.id])).rows;
    expect(audit).toEqual([
      { action: 'terminal.open', description: expect.stringContaining(`/api/v1/terminal/sessions/${sessionId}/recording`) },
      { action: 'terminal.close', description: expect.stringMatching(/ended \(closed\)/) },
    ]);
  });

  it('ends the session when the shell exits, with its exit code', async () => {
    const { server, agent } = await serverWithAgent();
    const live = await browser();
    const exits = collect(live, 'terminal_exit');
    const ack = await openTerminal(live, server.id);
    if (!ack.ok) throw new Error('open refused');
    agent.socket.emit('terminal_exit', { sessionId: ack.sessionId, exitCode: 3 });
    await waitFor(() => exits, (e) => e.length === 1, 5000, 'terminal_exit');
    expect(exits[0]).toEqual({ sessionId: ack.sessionId, exitCode: 3, reason: 'exit' });
    expect(await waitFor(() => sessionRow(ack.sessionId), (r) => r.ended_at !== null)).toMatchObject({ exit_code: 3, end_reason: 'exit' });
    expect(await live.timeout(5000).emitWithAck('terminal_input', { sessionId: ack.sessionId, data: 'x' })).toEqual({ ok: false, error: 'not_found' });
  });

  it('passes the agent\'s idle timeout on as the reason', async () => {
    const { server, agent } = await serverWithAgent();
    const live = await browser();
    const exits = collect(live, 'terminal_exit');
    const ack = await openTerminal(live, server.id);
    if (!ack.ok) throw new Error('open refused');
    agent.socket.emit('terminal_exit', { sessionId: ack.sessionId, exitCode: null, reason: 'idle' });
    await waitFor(() => exits, (e) => e.length === 1, 5000, 'terminal_exit');
    expect(exits[0]).toEqual({ sessionId: ack.sessionId, exitCode: null, reason: 'idle' });
    expect(await waitFor(() => sessionRow(ack.sessionId), (r) => r.ended_at !== null)).toMatchObject({ end_reason: 'idle' });
  });

  it('ends the session when the agent disconnects', async () => {
    const { server, agent } = await serverWithAgent();
    const live = await browser();
    const exits = collect(live, 'terminal_exit');
    const ack = await openTerminal(live, server.id);
    if (!ack.ok) throw new Error('open refused');
    agent.close();
    await waitFor(() => exits, (e) => e.length === 1, 5000, 'terminal_exit');
    expect(exits[0]).toEqual({ sessionId: ack.sessionId, exitCode: null, reason: 'agent_disconnected' });
  });

  it('closes the agent\'s shell when the browser socket goes away', async () => {
    const { server, closed } = await serverWithAgent();
    const live = await browser();
    const ack = await openTerminal(live, server.id);
    if (!ack.ok) throw new Error('open refused');
    live.close();
    await waitFor(() => closed, (c) => c.includes(ack.sessionId), 5000, 'terminal_close at the agent');
    expect(await waitFor(() => sessionRow(ack.sessionId), (r) => r.ended_at !== null)).toMatchObject({ end_reason: 'closed' });
  });

  it('says disabled (with the flag) when the agent has no terminal, and passes the agent\'s refusals on', async () => {
    const off = await serverWithAgent(alice, { terminal: false });
    const live = await browser();
    expect(await openTerminal(live, off.server.id)).toEqual({ ok: false, error: 'disabled', message: expect.stringContaining('--enable-terminal') });
    expect(off.opened).toEqual([]);

    const full = await serverWithAgent(alice, { answer: () => ({ ok: false, error: 'too_many_sessions', message: 'at most 4 sessions' }) });
    const exits: unknown[] = [];
    live.on('terminal_exit', (e) => exits.push(e));
    expect(await openTerminal(live, full.server.id)).toEqual({ ok: false, error: 'too_many_sessions', message: 'at most 4 sessions' });
    const [row] = (await t.db.query('SELECT end_reason FROM terminal_sessions WHERE server_id = $1', [full.server.id])).rows;
    expect(row).toEqual({ end_reason: 'error' });
    // The failed open is audited as one; the browser, which never got an id, gets no terminal_exit.
    const audit = await waitFor(async () => (await t.db.query(`SELECT action, description, success FROM audit_logs WHERE server_id = $1 AND action LIKE 'terminal.%'`, [full.server.id])).rows,
      (r) => r.length > 0, 5000, 'the failed open audited');
    expect(audit).toEqual([{ action: 'terminal.open', description: expect.stringContaining('could not open: at most 4 sessions'), success: false }]);
    expect(exits).toEqual([]);

    const { server: noAgent } = await provisionServer(t, alice);
    expect(await openTerminal(live, noAgent.id)).toMatchObject({ ok: false, error: 'agent_offline' });
  });

  it('refuses invalid requests and caps sessions per user', async () => {
    const { server } = await serverWithAgent();
    const live = await browser();
    for (const bad of [{}, { serverId: 'x', cols: 80, rows: 24 }, { serverId: server.id, cols: 0, rows: 24 }, { serverId: server.id, cols: 80, rows: 1e6 }, { serverId: server.id, cols: 1.5, rows: 24 }]) {
      expect(await live.timeout(5000).emitWithAck('terminal_open', bad as never)).toMatchObject({ ok: false, error: 'invalid' });
    }
    for (let i = 0; i < 5; i++) expect(await openTerminal(live, server.id)).toMatchObject({ ok: true });
    expect(await openTerminal(live, server.id)).toMatchObject({ ok: false, error: 'too_many_sessions' });
  });

  it('keeps other users out: open, input, sessions and recordings', async () => {
    const { server, inputs } = await serverWithAgent();
    const live = await browser();
    const ack = await openTerminal(live, server.id);
    if (!ack.ok) throw new Error('open refused');

    const intruder = await browser(mallory);
    const theirOutput = collect(intruder, 'terminal_output');
    expect(await openTerminal(intruder, server.id)).toEqual({ ok: false, error: 'not_found' });
    expect(await intruder.timeout(5000).emitWithAck('terminal_input', { sessionId: ack.sessionId, data: 'rm -rf /\r' })).toEqual({ ok: false, error: 'not_found' });
    expect(await intruder.timeout(5000).emitWithAck('terminal_close', { sessionId: ack.sessionId })).toEqual({ ok: false, error: 'not_found' });
    await t.http().get(`/api/v1/terminal/${server.id}/sessions`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/terminal/sessions/${ack.sessionId}`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/terminal/sessions/${ack.sessionId}/recording`).set(mallory.auth).expect(404);

    // A marker input from the owner, sent after the intruder's: once it arrived, the intruder's would have.
    await live.timeout(5000).emitWithAck('terminal_input', { sessionId: ack.sessionId, data: 'marker' });
    await waitFor(() => inputs, (i) => i.includes('marker'), 5000, 'marker input');
    expect(inputs).toEqual(['marker']);
    expect(theirOutput).toEqual([]);
  });

  it('drops frames an agent sends for a session of another server', async () => {
    const victim = await serverWithAgent();
    const live = await browser();
    const output = collect(live, 'terminal_output');
    const ack = await openTerminal(live, victim.server.id);
    if (!ack.ok) throw new Error('open refused');
    const rogue = await serverWithAgent(mallory);
    rogue.agent.socket.emit('terminal_output', { sessionId: ack.sessionId, data: 'FAKE PROMPT# ' });
    rogue.agent.socket.emit('terminal_exit', { sessionId: ack.sessionId, exitCode: 0 });
    victim.agent.socket.emit('terminal_output', { sessionId: ack.sessionId, data: 'real' });
    await waitFor(() => output, (o) => o.length >= 1, 5000, 'real output');
    expect(output).toEqual([{ sessionId: ack.sessionId, data: 'real' }]);
    expect((await sessionRow(ack.sessionId)).ended_at).toBeNull();
  });
});
