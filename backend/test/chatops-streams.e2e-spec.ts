import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChatHistoryPage, ChatMessageResponse, LiveChatStreamChunk, LiveChatStreamEnd } from '@chatops/protocol';
import { provisionServer } from './support/agent-client';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { dockerAgent, DockerTestAgent, healthyDocker } from './support/docker-agent';
import { collect, connectLive, LiveClient } from './support/live-client';

const AGENT = resolve(__dirname, '../../dist/agent/cli.js');
const uniq = () => randomBytes(3).toString('hex');

/**
 * Streamed chat actions, confirmation states and the chat rate limit against a real backend and
 * database: `run` with `stream: true` through the real agent process (its output reaches the
 * user's `/live` socket as `chat_stream` chunks before `chat_stream_end`, and the history keeps the
 * final card), a followed log stopped from the browser (the agent is told), `cancel <token>`.
 */
describe('chatops: streams, cancel', () => {
  let t: TestApp;
  let alice: TestUser;
  let mallory: TestUser;
  let agentProc: ChildProcess | undefined;
  let agentOut = '';
  let stateDir = '';
  let server: { id: string; name: string };
  const sockets: LiveClient[] = [];
  const dockers: DockerTestAgent[] = [];

  beforeAll(async () => {
    if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run "npm run build" (npm test does it)`);
    t = await startTestApp();
    await registerUser(t); // the admin
    alice = await registerUser(t);
    mallory = await registerUser(t);
    const { server: s, key } = await provisionServer(t, alice, `stream-${uniq()}`);
    server = s;
    stateDir = mkdtempSync(join(tmpdir(), 'chatops-chat-agent-'));
    agentProc = spawn(process.execPath, [AGENT, '--url', t.baseUrl, '--interval', '5', '--state-dir', stateDir, '--enable-exec'], {
      env: { ...process.env, CHATOPS_API_KEY: key.key, CHATOPS_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    agentProc.stdout!.on('data', (d) => (agentOut += d));
    agentProc.stderr!.on('data', (d) => (agentOut += d));
    await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.exec === true, 30_000, `the real agent online\n${agentOut}`);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    for (const d of dockers.splice(0)) d.agent.close();
  });
  afterAll(async () => {
    if (agentProc && agentProc.exitCode === null) {
      const exited = new Promise((r) => agentProc!.once('exit', r));
      agentProc.kill('SIGTERM');
      await exited;
    }
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    await t?.close();
  });

  const say = async (text: string, user = alice, stream = true): Promise<ChatMessageResponse> =>
    (await t.http().post('/api/v1/chatops/messages').set(user.auth).send({ text, ...(stream ? { stream } : {}) }).expect(200)).body;
  const live = async (user: TestUser) => {
    const s = await connectLive(t.baseUrl, user.accessToken);
    sockets.push(s);
    return { socket: s, chunks: collect(s, 'chat_stream'), ends: collect(s, 'chat_stream_end') };
  };
  const historyOf = async (user: TestUser): Promise<ChatHistoryPage> => (await t.http().get('/api/v1/chatops/history').set(user.auth).expect(200)).body;
  const textOf = (chunks: LiveChatStreamChunk[], id: string, stream?: 'stdout' | 'stderr') =>
    chunks.filter((c) => c.streamId === id && (!stream || c.stream === stream)).map((c) => c.chunk).join('');

  it('streams a confirmed `run` from the real agent to the user\'s sockets, chunks before the end, and stores the final card', async () => {
    const a1 = await live(alice);
    const a2 = await live(alice); // a second tab of the same user
    const m = await live(mallory);
    const asked = await say(`run ${server.name} -- for i in 1 2 3; do echo line $i; sleep 0.4; done; echo oops >&2; exit 3`);
    const running = await say(`confirm ${asked.reply.confirm!.token}`);
    // Answered at once, before the command ended.
    expect(running.reply).toMatchObject({ stream: { kind: 'run', serverId: server.id, state: 'running', stoppable: false }, monospace: true });
    expect(a1.ends).toEqual([]);
    const streamId = running.reply.stream!.id;

    // The first line arrives while the command still runs.
    await waitFor(() => textOf(a1.chunks, streamId), (s) => s.includes('line 1'), 10_000, 'the first line');
    expect(a1.ends).toEqual([]);
    await waitFor(() => a1.ends, (e) => e.length === 1, 15_000, 'the end');
    const end: LiveChatStreamEnd = a1.ends[0];
    expect(end).toMatchObject({ streamId, messageId: running.id, reason: 'exited', exitCode: 3 });
    expect(end.reply.title).toBe(`for i in 1 2 3; do echo line $i; sleep 0.4; done; echo oops >&2; exit 3 on ${server.name}: failed (exit 3)`);
    expect(end.reply.text).toBe('line 1\nline 2\nline 3\n\n[stderr]\noops\n');
    expect(end.reply.stream).toMatchObject({ id: streamId, state: 'ended' });
    expect(textOf(a1.chunks, streamId, 'stdout')).toBe('line 1\nline 2\nline 3\n');
    expect(textOf(a1.chunks, streamId, 'stderr')).toBe('oops\n');
    // Every socket of the user, nobody else's.
    await waitFor(() => a2.ends, (e) => e.length === 1, 5000, 'the end on the second tab');
    expect(textOf(a2.chunks, streamId)).toBe(textOf(a1.chunks, streamId));
    expect(m.chunks).toEqual([]);
    expect(m.ends).toEqual([]);

    // The history holds the final card in place of the streamed one, and the confirmation's state.
    const items = (await historyOf(alice)).items;
    const entry = items.find((i) => i.id === running.id)!;
    // A non-zero exit is an answer, not a refusal (as without streaming): the entry is ok.
    expect(entry).toMatchObject({ ok: true, reply: end.reply });
    expect(items.find((i) => i.id === asked.id)!.reply.confirm).toMatchObject({ state: 'confirmed', decidedBy: alice.user.username, decidedVia: 'dashboard' });
    // The command history has it too, as any run.
    const cmds = (await t.http().get(`/api/v1/commands/${server.id}/history`).set(alice.auth).expect(200)).body;
    expect(cmds[0]).toMatchObject({ commandId: streamId, status: 'failed', exitCode: 3 });
  });

  it('waits for the command without `stream` (the REST answer as before), and refuses a stop of a stream that is not a log of yours', async () => {
    await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: false }).expect(200);
    try {
      const bad = await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: 'help', stream: 'yes' }).expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'stream' })]);
      const waited = await say(`run ${server.name} -- echo waited`, alice, false);
      expect(waited.reply).toMatchObject({ text: 'waited\n', title: `echo waited on ${server.name}: completed (exit 0)` });
      expect(waited.reply.stream).toBeUndefined();

      const a = await live(alice);
      const m = await live(mallory);
      const running = await say(`run ${server.name} -- sleep 1; echo done`);
      const streamId = running.reply.stream!.id;
      // A socket that connects while it runs (a reloaded page, a reconnect) joins it too.
      const late = await live(alice);
      const ack = (s: LiveClient, payload: unknown) => s.timeout(5000).emitWithAck('chat_stream_stop', payload as { streamId: string });
      await expect(ack(m.socket, { streamId })).resolves.toEqual({ ok: false, error: 'not_found' });
      await expect(ack(a.socket, { streamId })).resolves.toEqual({ ok: false, error: 'not_found' }); // a command is not stoppable
      await expect(ack(a.socket, { streamId: 'nope' })).resolves.toEqual({ ok: false, error: 'invalid' });
      await expect(ack(a.socket, null)).resolves.toEqual({ ok: false, error: 'invalid' });
      await waitFor(() => a.ends, (e) => e.length === 1, 15_000, 'the end');
      expect(a.ends[0]).toMatchObject({ streamId, reason: 'exited', exitCode: 0, reply: { text: 'done\n' } });
      await waitFor(() => late.ends, (e) => e.length === 1, 5000, 'the end on the late socket');
      expect(late.chunks.map((c) => c.chunk).join('')).toBe('done\n');
      expect(m.ends).toEqual([]);
    } finally {
      await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: true }).expect(200);
    }
  });

  it('answers a streamed run the policy refuses at once, with no stream', async () => {
    await t.http().put(`/api/v1/commands/${server.id}/policy`).set(alice.auth).send({ deny: ['rm *'] }).expect(200);
    try {
      const asked = await say(`run ${server.name} -- rm -rf /tmp/nothing-here`);
      const refused = await say(`confirm ${asked.reply.confirm!.token}`);
      expect(refused.reply.error).toMatchObject({ code: 'command.policy_denied' });
      expect(refused.reply.stream).toBeUndefined();
      const entry = (await historyOf(alice)).items.find((i) => i.id === refused.id)!;
      expect(entry).toMatchObject({ ok: false, reply: { error: { code: 'command.policy_denied' } } });
    } finally {
      await t.http().put(`/api/v1/commands/${server.id}/policy`).set(alice.auth).send({ deny: [] }).expect(200);
    }
  });

  it('follows a container log: lines stream, Stop stops it on the agent, the final card holds the newest lines', async () => {
    const d = await dockerAgent(t, alice, healthyDocker);
    dockers.push(d);
    const a = await live(alice);
    const m = await live(mallory);
    const r = await say(`logs web on ${d.server.name} 20 follow`);
    expect(r.reply.stream).toMatchObject({ kind: 'logs', serverId: d.server.id, state: 'running', stoppable: true, container: 'web', lines: 20 });
    const streamId = r.reply.stream!.id;
    const follow = d.received.find((q) => q.action === 'logs' && q.options?.follow);
    expect(follow).toMatchObject({ containerId: 'web', options: { follow: true, streamId, tail: 20 } });

    d.agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'GET /' }, { stream: 'stdout', text: 'GET /a' }, { stream: 'stderr', text: 'warn' }] });
    await waitFor(() => a.chunks, (c) => c.length === 2, 5000, 'two chunks');
    expect(a.chunks).toEqual([{ streamId, stream: 'stdout', chunk: 'GET /\nGET /a\n' }, { streamId, stream: 'stderr', chunk: 'warn\n' }]);

    const stop = (s: LiveClient) => s.timeout(5000).emitWithAck('chat_stream_stop', { streamId });
    await expect(stop(m.socket)).resolves.toEqual({ ok: false, error: 'not_found' });
    expect(d.stops).toEqual([]);
    await expect(stop(a.socket)).resolves.toEqual({ ok: true });
    await waitFor(() => d.stops, (s) => s.length === 1, 5000, 'the agent told to stop');
    expect(d.stops[0]).toEqual({ streamId });
    await waitFor(() => a.ends, (e) => e.length === 1, 5000, 'the end');
    expect(a.ends[0]).toMatchObject({ streamId, messageId: r.id, reason: 'stopped', exitCode: null, reply: { title: 'Logs of web: stopped', text: 'listening on :80\n! warn: slow upstream' } });
    // Once: a second stop finds nothing running.
    await expect(stop(a.socket)).resolves.toEqual({ ok: false, error: 'not_found' });
    expect((await historyOf(alice)).items.find((i) => i.id === r.id)!.reply).toEqual(a.ends[0].reply);
    expect(m.ends).toEqual([]);
  });

  it('ends a followed log when the agent ends it or goes away', async () => {
    const d = await dockerAgent(t, alice, healthyDocker);
    dockers.push(d);
    const a = await live(alice);
    const first = (await say(`logs web on ${d.server.name} follow`)).reply.stream!.id;
    d.agent.socket.emit('container_logs_end', { streamId: first, containerId: 'web', reason: 'ended' });
    await waitFor(() => a.ends, (e) => e.length === 1, 5000, 'the end');
    expect(a.ends[0]).toMatchObject({ streamId: first, reason: 'ended', reply: { title: 'Logs of web: ended' } });

    const second = await say(`logs web on ${d.server.name} follow`);
    d.agent.close();
    await waitFor(() => a.ends, (e) => e.length === 2, 10_000, 'the end after the disconnect');
    expect(a.ends[1]).toMatchObject({ streamId: second.reply.stream!.id, reason: 'agent_disconnected', reply: { text: '(the newest lines could not be read)' } });
  });

  it('cancels a pending confirmation: nothing runs, confirm is refused after, the card says who cancelled', async () => {
    const asked = await say(`run ${server.name} -- echo never`);
    const token = asked.reply.confirm!.token;
    expect(asked.reply.actions).toContainEqual({ label: 'Cancel', command: `cancel ${token}`, style: 'default' });
    // Someone else's cancel is the same answer as an unknown token.
    expect((await say(`cancel ${token}`, mallory)).reply.error).toMatchObject({ code: 'chat.confirm_unknown' });
    const cancelled = await say(`cancel ${token}`);
    expect(cancelled.reply).toEqual({ title: `Cancelled: run ${server.name} -- echo never`, text: 'Nothing ran.' });
    expect((await say(`confirm ${token}`)).reply.error).toMatchObject({ code: 'chat.confirm_cancelled', message: 'That confirmation was cancelled: nothing ran' });
    expect((await say(`cancel ${token}`)).reply.error).toMatchObject({ code: 'chat.confirm_cancelled' });
    const cmds = (await t.http().get(`/api/v1/commands/${server.id}/history`).set(alice.auth).expect(200)).body as { command: string }[];
    expect(cmds.map((c) => c.command)).not.toContain('echo never');
    const card = (await historyOf(alice)).items.find((i) => i.id === asked.id)!.reply.confirm;
    expect(card).toMatchObject({ state: 'cancelled', decidedBy: alice.user.username, decidedVia: 'dashboard', decidedAt: expect.any(String) });
    const audit = (await t.db.query(`SELECT description, channel, success FROM audit_logs WHERE server_id = $1 AND action = 'chatops.confirm_cancel'`, [server.id])).rows;
    expect(audit).toEqual([{ description: `Cancelled before it ran: run ${server.name} -- echo never (via chat, dashboard)`, channel: 'dashboard', success: true }]);
  });

  it('shows a confirmation nobody decided as expired once its time passed', async () => {
    const asked = await say(`run ${server.name} -- echo late`);
    expect((await historyOf(alice)).items.find((i) => i.id === asked.id)!.reply.confirm?.state).toBe('pending');
    // Let its 60 s pass: the token's expiry and the one its card shows.
    await t.db.query(`UPDATE chat_confirmations SET expires_at = now() - interval '1 second' WHERE message_id = $1`, [asked.id]);
    await t.db.query(`UPDATE chat_messages SET reply = jsonb_set(reply, '{confirm,expiresAt}', to_jsonb(now() - interval '1 second')) WHERE id = $1`, [asked.id]);
    expect((await historyOf(alice)).items.find((i) => i.id === asked.id)!.reply.confirm?.state).toBe('expired');
    expect((await say(`cancel ${asked.reply.confirm!.token}`)).reply.error).toMatchObject({ code: 'chat.confirm_expired' });
  });
});
