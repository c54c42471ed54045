import type { CommandRequest, CommandResult, CapabilityError } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { collect, connectLive, LiveClient } from './support/live-client';
import { CommandsService } from '../src/modules/commands/commands.service';

type Answer = (req: CommandRequest) => CommandResult | CapabilityError | null | Promise<CommandResult | CapabilityError | null>;

const result = (req: CommandRequest, over: Partial<CommandResult> = {}): CommandResult => ({
  commandId: req.commandId, exitCode: 0, stdout: '', stderr: '', durationMs: 12, timedOut: false, truncated: false, ...over,
});

/** Remote commands through the backend, with simulated agents answering as the contract says. */
describe('commands', () => {
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

  /** A server of `user` whose simulated agent answers `command` requests with `answer`. */
  async function serverWithAgent(answer: Answer, user = alice) {
    const { server, key } = await provisionServer(t, user);
    const agent = await connectAgent(t.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: false } }));
    const received: CommandRequest[] = [];
    agent.socket.on('command', async (req, ack) => {
      received.push(req);
      const reply = await answer(req);
      if (reply) ack(reply);
    });
    await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.agent?.capabilities?.exec === true, 5000, 'hello recorded');
    return { server, agent, received };
  }
  const run = (serverId: string, body: object, user = alice, query = '') =>
    t.http().post(`/api/v1/commands/${serverId}${query}`).set(user.auth).send(body);
  const auditFor = async (serverId: string) =>
    (await t.db.query(`SELECT action, description, success FROM audit_logs WHERE server_id = $1 AND action LIKE 'command.%' ORDER BY created_at`, [serverId])).rows;

  it('runs a command and answers with its output, exit code and duration; history, item and audit have it', async () => {
    const { server, received } = await serverWithAgent((req) => result(req, { stdout: 'Linux web-1\n', stderr: 'warn\n', durationMs: 7 }));
    const res = await run(server.id, { command: '  uname -a  ', timeoutSec: 20 }).expect(200);
    expect(res.body).toEqual({
      commandId: expect.any(String), command: 'uname -a', status: 'completed', exitCode: 0,
      output: 'Linux web-1\n', stderr: 'warn\n', durationMs: 7, truncated: false,
    });
    expect(received).toEqual([{ commandId: res.body.commandId, command: 'uname -a', timeoutSec: 20 }]);

    const item = await t.http().get(`/api/v1/commands/item/${res.body.commandId}`).set(alice.auth).expect(200);
    expect(item.body).toMatchObject({
      commandId: res.body.commandId, serverId: server.id, userId: alice.user.id, status: 'completed', output: 'Linux web-1\n',
      timedOut: false, error: null, ip: expect.any(String), createdAt: expect.any(String), finishedAt: expect.any(String),
    });
    const history = await t.http().get(`/api/v1/commands/${server.id}/history`).set(alice.auth).expect(200);
    expect(history.body.map((c: { commandId: string }) => c.commandId)).toEqual([res.body.commandId]);
    expect(await auditFor(server.id)).toEqual([
      { action: 'command.run', description: expect.stringContaining('"uname -a"'), success: true },
    ]);
  });

  it.each([
    ['a non-zero exit', { exitCode: 2, stderr: 'no such file\n' }, 'failed', 2],
    ['a timeout', { exitCode: null, timedOut: true }, 'timeout', null],
  ] as const)('reports %s with its status', async (_what, over, status, exitCode) => {
    const { server } = await serverWithAgent((req) => result(req, over));
    const res = await run(server.id, { command: 'ls /nope' }).expect(200);
    expect(res.body).toMatchObject({ status, exitCode });
    expect((await auditFor(server.id))[0]).toMatchObject({ success: false });
  });

  it.each([
    ['disabled', undefined, 'command.exec_disabled', /--enable-exec/],
    ['not_allowed', 'it matches no line of /etc/chatops/allow', 'command.not_allowed', /matches no line/],
    ['queue_full', undefined, 'command.agent_busy', /retry/],
  ] as const)('maps the agent refusal %s to a clear error and records it', async (error, message, code, text) => {
    const { server } = await serverWithAgent(() => ({ ok: false, error, ...(message ? { message } : {}) }));
    const res = await run(server.id, { command: 'reboot' });
    expect(res.status).toBe(code === 'command.agent_busy' ? 429 : 403);
    expect(res.body).toMatchObject({ code, message: expect.stringMatching(text) });
    const [row] = (await t.http().get(`/api/v1/commands/${server.id}/history`).set(alice.auth).expect(200)).body;
    expect(row).toMatchObject({ command: 'reboot', status: 'refused', error: expect.any(String) });
    expect(await auditFor(server.id)).toEqual([expect.objectContaining({ success: false })]);
  });

  it('answers 503 without an agent and records the attempt as unreachable', async () => {
    const { server } = await provisionServer(t, alice);
    const res = await run(server.id, { command: 'uptime' }).expect(503);
    expect(res.body.code).toBe('agent.not_connected');
    const [row] = (await t.http().get(`/api/v1/commands/${server.id}/history`).set(alice.auth).expect(200)).body;
    expect(row).toMatchObject({ status: 'unreachable', exitCode: null });
  });

  it('ends with status failed when the agent disconnects mid-command (no hanging request)', async () => {
    const { server, agent } = await serverWithAgent(() => {
      setImmediate(() => agent.close());
      return null; // never answers
    });
    const res = await run(server.id, { command: 'sleep 100', timeoutSec: 600 }).expect(200);
    expect(res.body).toMatchObject({ status: 'failed', exitCode: null });
    const item = await t.http().get(`/api/v1/commands/item/${res.body.commandId}`).set(alice.auth).expect(200);
    expect(item.body.error).toMatch(/disconnected/);
  });

  it('waits for the command\'s own timeout, not a fixed one (an answer after 2.5 s for timeoutSec 1 still counts)', async () => {
    const { server } = await serverWithAgent(async (req) => {
      await new Promise((r) => setTimeout(r, 2500));
      return result(req, { exitCode: null, timedOut: true });
    });
    const res = await run(server.id, { command: 'sleep 5', timeoutSec: 1 }).expect(200);
    expect(res.body.status).toBe('timeout');
  });

  it('caps running commands per user (429), and records and audits the refused one', async () => {
    const { server, agent, received } = await serverWithAgent(() => null); // never answers: all stay running
    const max = 64; // COMMANDS_MAX_RUNNING_PER_USER's default
    for (let i = 0; i < max; i++) await run(server.id, { command: `sleep ${i}`, timeoutSec: 600 }, alice, '?async=true').expect(202);
    await waitFor(async () => received.length, (n) => n === max, 5000, 'all requests at the agent');
    const res = await run(server.id, { command: 'one too many' }).expect(429);
    expect(res.body.code).toBe('command.too_many_running');
    const rows = (await t.db.query(`SELECT status, error FROM command_history WHERE server_id = $1 AND command = 'one too many'`, [server.id])).rows;
    expect(rows).toEqual([{ status: 'refused', error: expect.stringContaining('too many running') }]);
    expect((await auditFor(server.id)).filter((a) => a.description.includes('one too many')))
      .toEqual([{ action: 'command.run', description: expect.stringContaining('refused'), success: false }]);
    expect(received).toHaveLength(max); // nothing more reached the agent
    // The agent goes: the 64 end as failed and free the cap for the tests that follow.
    agent.close();
    await waitFor(async () => (await t.db.query(`SELECT count(*)::int AS n FROM command_history WHERE server_id = $1 AND status = 'running'`, [server.id])).rows[0].n,
      (n) => n === 0, 10_000, 'the running commands closed');
  });

  it('closes a command still running long after its timeout (its backend stopped) as failed, once, and audits it', async () => {
    const { server } = await provisionServer(t, alice);
    const [orphan, young] = (await t.db.query(
      `INSERT INTO command_history (id, server_id, user_id, command, timeout_sec, status, stdout, stderr, truncated, timed_out, created_at)
       VALUES (gen_random_uuid(), $1, $2, 'sleep 999', 30, 'running', '', '', false, false, now() - interval '10 minutes'),
              (gen_random_uuid(), $1, $2, 'sleep 1', 30, 'running', '', '', false, false, now())
       RETURNING id`,
      [server.id, alice.user.id],
    )).rows.map((r: { id: string }) => r.id);
    const commands = t.app.get(CommandsService);
    await commands.closeOrphans();
    await commands.closeOrphans(); // a second round (another instance) finds nothing left to close
    const rows = (await t.db.query('SELECT id, status, error, finished_at FROM command_history WHERE id = ANY($1::uuid[])', [[orphan, young]])).rows;
    expect(rows.find((r: { id: string }) => r.id === orphan)).toMatchObject({ status: 'failed', error: 'interrupted: the backend stopped while it ran', finished_at: expect.any(Date) });
    expect(rows.find((r: { id: string }) => r.id === young)).toMatchObject({ status: 'running', error: null, finished_at: null });
    expect(await auditFor(server.id)).toEqual([
      { action: 'command.run', description: 'Command "sleep 999" interrupted: the backend stopped while it ran', success: false },
    ]);
  });

  it('stores NUL bytes of binary output as U+FFFD instead of failing', async () => {
    const { server } = await serverWithAgent((req) => result(req, { stdout: 'a\u0000b' }));
    const res = await run(server.id, { command: 'head -c 3 /bin/true' }).expect(200);
    expect(res.body.output).toBe('a\uFFFDb');
  });

  it('with ?async=true answers 202 at once and streams output and the final record over /live', async () => {
    let finish!: () => void;
    const released = new Promise<void>((r) => { finish = r; });
    const { server, agent } = await serverWithAgent(async (req) => {
      agent.socket.emit('command_output', { commandId: req.commandId, stream: 'stdout', data: 'line 1\n' });
      agent.socket.emit('command_output', { commandId: req.commandId, stream: 'stderr', data: 'oops\n' });
      await released;
      return result(req, { stdout: 'line 1\n', stderr: 'oops\n', exitCode: 1 });
    });
    const live = await connectLive(t.baseUrl, alice.accessToken);
    lives.push(live);
    expect(await live.timeout(5000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
    const output = collect(live, 'command_output');
    const finished = collect(live, 'command_finished');

    const res = await run(server.id, { command: 'make' }, alice, '?async=true').expect(202);
    expect(res.body).toEqual({ commandId: expect.any(String), command: 'make', status: 'running' });
    await waitFor(() => output, (o) => o.length === 2, 5000, 'streamed output');
    expect(output).toEqual([
      { serverId: server.id, commandId: res.body.commandId, stream: 'stdout', data: 'line 1\n' },
      { serverId: server.id, commandId: res.body.commandId, stream: 'stderr', data: 'oops\n' },
    ]);
    const running = await t.http().get(`/api/v1/commands/item/${res.body.commandId}`).set(alice.auth).expect(200);
    expect(running.body.status).toBe('running');

    finish();
    await waitFor(() => finished, (f) => f.length === 1, 5000, 'command_finished');
    expect(finished[0]).toMatchObject({ serverId: server.id, command: { commandId: res.body.commandId, status: 'failed', exitCode: 1, stderr: 'oops\n' } });
    const done = await t.http().get(`/api/v1/commands/item/${res.body.commandId}`).set(alice.auth).expect(200);
    expect(done.body).toMatchObject({ status: 'failed', exitCode: 1, output: 'line 1\n' });
  });

  describe('server policy', () => {
    it('refuses before anything reaches the agent, names the rule, and records the refusal', async () => {
      const { server, received } = await serverWithAgent((req) => result(req));
      const policy = await t.http().put(`/api/v1/commands/${server.id}/policy`).set(alice.auth)
        .send({ allow: ['uptime', 'df *', '# a comment'], deny: ['rm *'] }).expect(200);
      expect(policy.body).toEqual({ serverId: server.id, allow: ['uptime', 'df *'], deny: ['rm *'], updatedAt: expect.any(String) });

      await run(server.id, { command: 'df -h' }).expect(200);
      const chained = await run(server.id, { command: 'df -h; rm -rf /' }).expect(403);
      expect(chained.body).toMatchObject({ code: 'command.policy_denied', message: expect.stringContaining('"rm *"') });
      const other = await run(server.id, { command: 'cat /etc/shadow' }).expect(403);
      expect(other.body.message).toMatch(/none of the allow rules/);
      expect(received.map((r) => r.command)).toEqual(['df -h']);

      const history = (await t.http().get(`/api/v1/commands/${server.id}/history?status=refused`).set(alice.auth).expect(200)).body;
      expect(history.map((c: { command: string }) => c.command)).toEqual(['cat /etc/shadow', 'df -h; rm -rf /']);
      const actions = (await auditFor(server.id)).map((a) => a.action);
      expect(actions).toEqual(['command.policy_update', 'command.run', 'command.run', 'command.run']);
    });

    it('rejects an invalid pattern with 400 naming the line, and keeps the old policy', async () => {
      const { server } = await provisionServer(t, alice);
      await t.http().put(`/api/v1/commands/${server.id}/policy`).set(alice.auth).send({ deny: ['reboot'] }).expect(200);
      const bad = await t.http().put(`/api/v1/commands/${server.id}/policy`).set(alice.auth).send({ allow: ['uptime', 're:(unclosed'] }).expect(400);
      expect(bad.body).toMatchObject({ code: 'command.invalid_policy', details: [{ field: 'allow[1]', errors: [expect.stringContaining('line 2')] }] });
      const kept = await t.http().get(`/api/v1/commands/${server.id}/policy`).set(alice.auth).expect(200);
      expect(kept.body).toMatchObject({ allow: [], deny: ['reboot'] });
    });
  });

  it('pages and filters the history, newest first', async () => {
    const { server } = await serverWithAgent((req) => result(req, { exitCode: req.command.startsWith('false') ? 1 : 0 }));
    for (const c of ['echo 1', 'false a', 'echo 2', 'false b', 'echo 3']) await run(server.id, { command: c }).expect(200);
    const list = (q: string) => t.http().get(`/api/v1/commands/${server.id}/history${q}`).set(alice.auth).expect(200).then((r) => r.body.map((c: { command: string }) => c.command));
    expect(await list('')).toEqual(['echo 3', 'false b', 'echo 2', 'false a', 'echo 1']);
    const page1 = (await t.http().get(`/api/v1/commands/${server.id}/history?limit=2`).set(alice.auth).expect(200)).body;
    expect(page1.map((c: { command: string }) => c.command)).toEqual(['echo 3', 'false b']);
    expect(await list(`?limit=2&before=${page1[1].commandId}`)).toEqual(['echo 2', 'false a']);
    expect(await list('?status=failed')).toEqual(['false b', 'false a']);
    expect(await list('?q=ECHO%202')).toEqual(['echo 2']);
    expect(await list('?q=100%25')).toEqual([]);
    await t.http().get(`/api/v1/commands/${server.id}/history?before=yesterday`).set(alice.auth).expect(400);
    await t.http().get(`/api/v1/commands/${server.id}/history?status=done`).set(alice.auth).expect(400);
  });

  it('validates the request', async () => {
    const { server } = await provisionServer(t, alice);
    for (const body of [{}, { command: '' }, { command: '   ' }, { command: 42 }, { command: 'x', timeoutSec: 0 }, { command: 'x', timeoutSec: 601 },
      { command: 'x', timeoutSec: '5' }, { command: 'x', extra: true }, { command: 'x'.repeat(8193) }, { command: 'a\u0000b' }]) {
      const res = await run(server.id, body);
      expect([res.status, body]).toEqual([400, body]);
    }
    await t.http().post(`/api/v1/commands/not-a-uuid`).set(alice.auth).send({ command: 'x' }).expect(400);
    await run(server.id, { command: 'x' }, alice, '?async=maybe').expect(400);
  });

  it('hides other users\' servers and commands behind 404, and changes nothing', async () => {
    const { server } = await serverWithAgent((req) => result(req, { stdout: 'secret' }));
    const { body: mine } = await run(server.id, { command: 'cat secret' }).expect(200);
    await run(server.id, { command: 'id' }, mallory).expect(404);
    await t.http().get(`/api/v1/commands/${server.id}/history`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/commands/item/${mine.commandId}`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/commands/${server.id}/policy`).set(mallory.auth).expect(404);
    await t.http().put(`/api/v1/commands/${server.id}/policy`).set(mallory.auth).send({ allow: ['id'] }).expect(404);
    await t.http().get(`/api/v1/commands/item/${crypto.randomUUID()}`).set(alice.auth).expect(404);
    const rows = (await t.db.query('SELECT command FROM command_history WHERE server_id = $1', [server.id])).rows;
    expect(rows).toEqual([{ command: 'cat secret' }]);
    const policy = await t.http().get(`/api/v1/commands/${server.id}/policy`).set(alice.auth).expect(200);
    expect(policy.body.allow).toEqual([]);
  });

  it('requires a token', async () => {
    const { server } = await provisionServer(t, alice);
    await t.http().post(`/api/v1/commands/${server.id}`).send({ command: 'id' }).expect(401);
  });
});
