import type { CommandRequest, CommandResult, LiveTerminalOpenAck, TerminalClose } from '@chatops/protocol';
import { registerUser, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { BackendProcess, startBackendProcess } from './support/backend-process';
import { connectLive, LiveClient } from './support/live-client';
import { InstancePair, startInstancePair } from './support/instances';

const CAPS = { COMMANDS_MAX_RUNNING_PER_USER: '2', TERMINAL_MAX_SESSIONS_PER_USER: '2' };
/** The dead-instance sweep runs every 5 s on each instance: two rounds plus slack on a loaded machine. */
const FREED_WITHIN_MS = 15_000;

interface HeldCommand { req: CommandRequest; answer: (exitCode: number) => void }

/**
 * The per-user caps on running commands and open terminal sessions hold across instances: they
 * are counted in PostgreSQL, so requests split over A and B (and a third, real process) share one
 * budget, and the slots held through an instance that is killed are given back by the others.
 */
describe('per-user caps across instances (REDIS_URL)', () => {
  let pair: InstancePair | undefined;
  let a: TestApp;
  let b: TestApp;
  let doomed: BackendProcess | undefined;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    pair = await startInstancePair(CAPS); // fails at once, saying how to start Redis, when it is not running
    ({ a, b } = pair);
    await registerUser(a); // the admin: the users below are plain users
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const live of lives) live.close();
    await doomed?.kill();
    await pair?.close();
  });

  /** A server of `user` whose agent is on A and answers a command only when the test says so. */
  async function agentOnA(user: TestUser) {
    const { server, key } = await provisionServer(a, user);
    const agent = await connectAgent(a.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: true } }));
    const held: HeldCommand[] = [];
    const closed: TerminalClose[] = [];
    agent.socket.on('command', (req, ack) => held.push({
      req,
      answer: (exitCode) => ack({ commandId: req.commandId, exitCode, stdout: '', stderr: '', durationMs: 1, timedOut: false, truncated: false } satisfies CommandResult),
    }));
    agent.socket.on('terminal_open', (_req, ack) => ack({ ok: true }));
    agent.socket.on('terminal_close', (req) => closed.push(req));
    await waitFor(() => a.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.agent !== null, 10_000, 'hello recorded');
    return { server, held, closed };
  }

  /** `POST /commands/{serverId}?async=true` on any instance's URL: the status and the error code. */
  async function runAsync(baseUrl: string, user: TestUser, serverId: string, command: string): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${baseUrl}/api/v1/commands/${serverId}?async=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...user.auth },
      body: JSON.stringify({ command }),
    });
    const body = (await res.json()) as { code?: string };
    return { status: res.status, code: body.code };
  }

  async function browser(baseUrl: string, user: TestUser): Promise<LiveClient> {
    const live = await connectLive(baseUrl, user.accessToken);
    lives.push(live);
    return live;
  }
  const open = (live: LiveClient, serverId: string): Promise<LiveTerminalOpenAck> =>
    live.timeout(10_000).emitWithAck('terminal_open', { serverId, cols: 80, rows: 24 });
  const sessionId = (ack: LiveTerminalOpenAck): string => {
    if (!ack.ok) throw new Error(`open refused: ${JSON.stringify(ack)}`);
    return ack.sessionId;
  };
  const commandStatuses = async (userId: string) =>
    (await a.db.query('SELECT status, error FROM command_history WHERE user_id = $1 ORDER BY created_at', [userId])).rows as Array<{ status: string; error: string | null }>;

  it('counts running commands on every instance against one budget, also when requests race', async () => {
    const alice = await registerUser(a);
    const { server, held } = await agentOnA(alice);

    // Six requests at once, three through each instance: per-instance counting would let four run.
    const results = await Promise.all([a, b, a, b, a, b].map((t, i) => runAsync(t.baseUrl, alice, server.id, `sleep ${i}`)));
    expect(results.filter((r) => r.status === 202)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429).map((r) => r.code)).toEqual(Array(4).fill('command.too_many_running'));
    await waitFor(() => held.length, (n) => n === 2, 10_000, 'the two admitted commands at the agent');

    // Refused through either instance while both slots are taken; every refusal is recorded.
    expect(await runAsync(a.baseUrl, alice, server.id, 'one too many')).toEqual({ status: 429, code: 'command.too_many_running' });
    expect(await runAsync(b.baseUrl, alice, server.id, 'one too many')).toEqual({ status: 429, code: 'command.too_many_running' });
    const rows = await commandStatuses(alice.user.id);
    expect(rows.filter((r) => r.status === 'refused')).toHaveLength(6);
    expect(rows.filter((r) => r.status === 'running')).toHaveLength(2);

    // The answer frees the slot, whichever instance held it.
    held[0].answer(0);
    await waitFor(() => commandStatuses(alice.user.id), (r) => r.filter((x) => x.status === 'running').length === 1, 10_000, 'the first command to complete');
    expect(await runAsync(b.baseUrl, alice, server.id, 'now there is room')).toEqual({ status: 202, code: undefined });
    await waitFor(() => held.length, (n) => n === 3, 10_000, 'the third command at the agent');
    for (const h of held.slice(1)) h.answer(0);
    await waitFor(() => commandStatuses(alice.user.id), (r) => !r.some((x) => x.status === 'running'), 10_000, 'every command to complete');
  });

  it('counts open terminal sessions on every instance against one budget', async () => {
    const bob = await registerUser(a);
    const { server } = await agentOnA(bob);
    const onA = await browser(a.baseUrl, bob);
    const onB = await browser(b.baseUrl, bob);

    const first = sessionId(await open(onA, server.id));
    sessionId(await open(onB, server.id));
    expect(await open(onB, server.id)).toMatchObject({ ok: false, error: 'too_many_sessions' });
    expect(await open(onA, server.id)).toMatchObject({ ok: false, error: 'too_many_sessions' });

    // Closing the session on A makes room for one on B.
    expect(await onA.timeout(5000).emitWithAck('terminal_close', { sessionId: first })).toEqual({ ok: true });
    sessionId(await open(onB, server.id));
    expect(await open(onA, server.id)).toMatchObject({ ok: false, error: 'too_many_sessions' });
  });

  it('frees the slot of a command sent through B as soon as its agent leaves A, not at its timeout', async () => {
    const dave = await registerUser(a);
    const { server, held } = await agentOnA(dave);
    const res = await fetch(`${b.baseUrl}/api/v1/commands/${server.id}?async=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...dave.auth },
      body: JSON.stringify({ command: 'sleep 600', timeoutSec: 600 }),
    });
    expect(res.status).toBe(202);
    await waitFor(() => held.length, (n) => n === 1, 10_000, 'the command at the agent');
    const agent = agents[agents.length - 1];
    const leftAt = Date.now();
    agent.close();
    // A relays the agent's departure: B ends the wait (it would otherwise last 600 + 15 s).
    const [row] = await waitFor(() => commandStatuses(dave.user.id), (r) => r[0]?.status !== 'running', 10_000, 'the command to end');
    expect(row).toEqual({ status: 'failed', error: 'the agent disconnected while the command ran' });
    expect(Date.now() - leftAt).toBeLessThan(10_000);
  });

  it('gives back the slots held through an instance that is killed (SIGKILL)', async () => {
    const carol = await registerUser(a);
    const { server, held, closed } = await agentOnA(carol);
    doomed = await startBackendProcess(a.dbUrl, CAPS);

    // Both budgets spent through the third instance: its commands wait at the agent on A.
    expect(await runAsync(doomed.url, carol, server.id, 'long one')).toEqual({ status: 202, code: undefined });
    expect(await runAsync(doomed.url, carol, server.id, 'long two')).toEqual({ status: 202, code: undefined });
    await waitFor(() => held.length, (n) => n === 2, 10_000, 'the commands at the agent');
    const onDoomed = await browser(doomed.url, carol);
    const sessions = [sessionId(await open(onDoomed, server.id)), sessionId(await open(onDoomed, server.id))];
    expect(await runAsync(a.baseUrl, carol, server.id, 'refused')).toMatchObject({ status: 429 });
    const onA = await browser(a.baseUrl, carol);
    expect(await open(onA, server.id)).toMatchObject({ ok: false, error: 'too_many_sessions' });

    const killedAt = Date.now();
    await doomed.kill();

    // The others close what the dead instance held: the commands failed, the sessions ended and
    // their PTYs closed at the agent; the user's slots are free again.
    await waitFor(() => commandStatuses(carol.user.id), (r) => !r.some((x) => x.status === 'running'), FREED_WITHIN_MS, 'the dead instance\'s commands to be closed');
    const ended = await waitFor(
      async () => (await a.db.query('SELECT id, end_reason FROM terminal_sessions WHERE id = ANY($1::uuid[]) AND ended_at IS NOT NULL', [sessions])).rows,
      (r) => r.length === 2, FREED_WITHIN_MS, 'the dead instance\'s sessions to end');
    expect(Date.now() - killedAt).toBeLessThan(FREED_WITHIN_MS);
    expect(ended.map((r) => r.end_reason)).toEqual(['instance_died', 'instance_died']);
    expect((await commandStatuses(carol.user.id)).filter((r) => r.status === 'failed').map((r) => r.error))
      .toEqual(Array(2).fill('interrupted: the backend instance running it stopped'));
    await waitFor(() => closed.map((c) => c.sessionId).sort(), (ids) => ids.length === 2, 10_000, 'terminal_close at the agent');
    expect(closed.map((c) => c.sessionId).sort()).toEqual([...sessions].sort());
    const audited = await waitFor(
      async () => (await a.db.query(`SELECT action, success FROM audit_logs WHERE user_id = $1 AND description LIKE '%instance%' ORDER BY action`, [carol.user.id])).rows,
      (r) => r.length === 4, 10_000, 'the closures audited');
    expect(audited).toEqual([
      { action: 'command.run', success: false }, { action: 'command.run', success: false },
      { action: 'terminal.close', success: true }, { action: 'terminal.close', success: true },
    ]);

    expect(await runAsync(a.baseUrl, carol, server.id, 'room again')).toEqual({ status: 202, code: undefined });
    sessionId(await open(onA, server.id));
    await waitFor(() => held.length, (n) => n === 3, 10_000, 'the new command at the agent');
    held[2].answer(0);
  });
});
