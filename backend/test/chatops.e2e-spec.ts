import { randomBytes } from 'node:crypto';
import type { ChatMessageResponse, CommandRequest } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { createRule, FAST_ALERTS_ENV, simAgent, SimAgent, waitAlerts } from './support/alerts';
import { CONTAINER_ID, dockerAgent, healthyDocker } from './support/docker-agent';

const uniq = () => randomBytes(3).toString('hex');

/**
 * ChatOps through its REST door, against a real backend and database with simulated agents: the
 * language reaches the same services as REST (ownership, policies, audit with the channel), the
 * confirm step of destructive commands, and the conversation history.
 */
describe('chatops', () => {
  let t: TestApp;
  let alice: TestUser;
  let mallory: TestUser;
  const agents: TestAgent[] = [];
  const sims: SimAgent[] = [];

  beforeAll(async () => {
    t = await startTestApp(FAST_ALERTS_ENV);
    await registerUser(t); // the admin
    alice = await registerUser(t);
    mallory = await registerUser(t);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const s of sims.splice(0)) s.close();
  });
  afterAll(async () => { await t.close(); });

  const say = async (text: string, user = alice, serverId?: string): Promise<ChatMessageResponse> =>
    (await t.http().post('/api/v1/chatops/messages').set(user.auth).send({ text, ...(serverId ? { serverId } : {}) }).expect(200)).body;
  const auditOf = async (serverId: string, prefix: string) =>
    (await t.db.query(`SELECT action, description, success, channel FROM audit_logs WHERE server_id = $1 AND action LIKE $2 ORDER BY created_at, id`, [serverId, `${prefix}%`])).rows;

  /** A server of `user` named `web-<x>` whose simulated agent runs commands by echoing them. */
  async function execServer(user = alice) {
    const { server, key } = await provisionServer(t, user, `web-${uniq()}`);
    const agent = await connectAgent(t.baseUrl, key.key);
    agents.push(agent);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: false } }));
    const received: CommandRequest[] = [];
    agent.socket.on('command', (req, ack) => {
      received.push(req);
      ack({ commandId: req.commandId, exitCode: 0, stdout: `${req.command.replace(/^echo /, '')}\n`, stderr: '', durationMs: 3, timedOut: false, truncated: false });
    });
    await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.agent?.capabilities?.exec === true, 10_000, 'hello recorded');
    return { server, received };
  }

  it('answers a malformed request with 400 and details, and what does not parse with a 200 reply carrying the error', async () => {
    for (const text of ['', '   ', 'x'.repeat(4001)]) {
      const res = await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text }).expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'text' })]);
    }
    await t.http().post('/api/v1/chatops/messages').send({ text: 'status' }).expect(401);
    const r = await say('stauts');
    expect(r.reply.error).toEqual({ code: 'chat.unknown_command', message: expect.stringContaining('did you mean status?'), suggestions: ['status'] });
    const help = await say('help');
    expect(help.reply.table?.rows.map((row) => row[0].split(' ')[0])).toEqual(
      ['help', 'status', 'top', 'metrics', 'run', 'containers', 'docker', 'logs', 'alerts', 'ack', 'resolve', 'silence', 'history']);
  });

  it('status: the fleet with problems first, one server in detail, the closest names for a typo', async () => {
    const sim = await simAgent(t, alice, `db-${uniq()}`);
    sims.push(sim);
    await sim.cpu(42);
    const { server: quiet } = await provisionServer(t, alice, `web-${uniq()}`);

    const fleet = (await say('status')).reply;
    expect(fleet.fields).toEqual(expect.arrayContaining([{ label: 'Servers', value: '2', short: true }, { label: 'Online', value: '1', short: true }]));
    expect(fleet.table?.rows.map((r) => [r[0], r[1], r[2]])).toEqual([[quiet.name, 'unknown', '—'], [sim.server.name, 'online', '42.0 %']]);

    const one = (await say(`status ${sim.server.name.toUpperCase()}`)).reply;
    expect(one).toMatchObject({ title: `${sim.server.name}: online`, chart: { serverId: sim.server.id, range: '1h' } });
    expect(one.fields).toContainEqual({ label: 'CPU', value: '42.0 %', short: true });

    const typo = (await say(`status ${quiet.name.replace('-', '')}`)).reply;
    expect(typo.error).toEqual({
      code: 'server.not_found', message: `No server '${quiet.name.replace('-', '')}' — did you mean ${quiet.name}?`, suggestions: [quiet.name],
    });
  });

  it('status <tag>: the servers with that tag, from their tags or, for a server without any, its metadata.tags', async () => {
    const tag = `edge-${uniq()}`.toLowerCase();
    const tagged = (await t.http().post('/api/v1/servers').set(alice.auth).send({ name: `edge-a-${uniq()}`, tags: [tag] }).expect(201)).body;
    const legacy = (await t.http().post('/api/v1/servers').set(alice.auth).send({ name: `edge-b-${uniq()}`, metadata: { tags: [tag.toUpperCase()] } }).expect(201)).body;
    // Its own tags win over metadata.tags: this one is not tagged `tag` any more.
    await t.http().post('/api/v1/servers').set(alice.auth).send({ name: `edge-c-${uniq()}`, tags: ['other'], metadata: { tags: [tag] } }).expect(201);
    const reply = (await say(`status ${tag}`)).reply;
    expect(reply.title).toContain(`Servers tagged ${tag}`);
    expect(reply.table?.rows.map((r) => r[0]).sort()).toEqual([tagged.name, legacy.name].sort());
  });

  it('top, metrics and history read the newest sample, the stored history and the command history', async () => {
    const sim = await simAgent(t, alice, `top-${uniq()}`);
    sims.push(sim);
    expect((await say(`top ${sim.server.name}`)).reply.error).toEqual({
      code: 'chat.no_metrics', message: `No metrics from ${sim.server.name} yet: its agent has not sent a sample`,
    });
    await sim.send({
      cpu: { percent: 61, perCore: [61], load: [1.5, 1, 0.5], cores: 1 },
      processes: [
        { pid: 10, name: 'postgres', user: 'postgres', cpuPercent: 12.5, memBytes: 1048576 },
        { pid: 20, name: 'node', user: 'app', cpuPercent: 48, memBytes: 2097152 },
      ],
    });
    const top = (await say(`top ${sim.server.name}`)).reply;
    expect(top.table).toEqual({ columns: ['PID', 'Process', 'User', 'CPU', 'Memory'], rows: [['20', 'node', 'app', '48.0 %', '2.0 MiB'], ['10', 'postgres', 'postgres', '12.5 %', '1.0 MiB']] });
    expect(top.fields).toContainEqual({ label: 'Load', value: '1.50 1.00 0.50', short: true });

    const metrics = (await say(`metrics ${sim.server.name} 6h`)).reply;
    expect(metrics).toMatchObject({ title: `${sim.server.name}: last 6h`, chart: { serverId: sim.server.id, range: '6h' } });
    expect(metrics.fields?.[0]).toEqual({ label: 'CPU avg / max', value: expect.stringMatching(/^\d+\.\d %/), short: true });

    const { server } = await execServer();
    expect((await say(`history ${server.name}`)).reply.title).toBe(`No commands on ${server.name} yet`);
    await t.http().post(`/api/v1/commands/${server.id}`).set(alice.auth).send({ command: 'echo via rest' }).expect(200);
    expect((await say(`history ${server.name}`)).reply.table?.rows).toEqual([[expect.any(String), 'echo via rest', 'completed', '0', '3 ms']]);
  });

  it('run: asks for a confirmation, runs once confirmed and shows the output; audited with the channel', async () => {
    const { server, received } = await execServer();
    const asked = (await say(`run ${server.name} -- echo hi there`)).reply;
    expect(asked.confirm).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), command: `run ${server.name} -- echo hi there`, expiresAt: expect.any(String), state: 'pending' });
    expect(asked.actions).toEqual([
      // Confirm names what running it needs there (the dashboard disables it for someone without it).
      { label: 'Confirm', command: `confirm ${asked.confirm!.token}`, style: 'danger', serverId: server.id, capability: 'commands.run' },
      { label: 'Cancel', command: `cancel ${asked.confirm!.token}`, style: 'default' },
    ]);
    expect(received).toEqual([]); // nothing ran yet

    const done = (await say(`confirm ${asked.confirm!.token}`)).reply;
    expect(done).toMatchObject({ title: `echo hi there on ${server.name}: completed (exit 0)`, text: 'hi there\n', monospace: true });
    expect(received.map((r) => r.command)).toEqual(['echo hi there']);
    expect(await auditOf(server.id, 'command.')).toEqual([
      { action: 'command.run', description: expect.stringMatching(/"echo hi there".*completed \(exit 0\) \(via chat, dashboard\)$/), success: true, channel: 'dashboard' },
    ]);

    // Exactly once: the same token again runs nothing.
    expect((await say(`confirm ${asked.confirm!.token}`)).reply.error).toMatchObject({ code: 'chat.confirm_used' });
    expect(received).toHaveLength(1);
  });

  it('a confirmation expires after 60 s, belongs to its user, and an unknown token is refused', async () => {
    const { server, received } = await execServer();
    const { reply } = await say(`run ${server.name} -- echo late`);
    expect((await say(`confirm ${reply.confirm!.token}`, mallory)).reply.error).toMatchObject({ code: 'chat.confirm_unknown' });
    await t.db.query(`UPDATE chat_confirmations SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [alice.user.id]);
    expect((await say(`confirm ${reply.confirm!.token}`)).reply.error).toMatchObject({ code: 'chat.confirm_expired', message: expect.stringContaining('expired') });
    expect((await say('confirm AAAAAAAAAAAAAAAAAAAAAA')).reply.error).toMatchObject({ code: 'chat.confirm_unknown' });
    expect(received).toEqual([]);
    // Two confirmations racing: one runs.
    const again = (await say(`run ${server.name} -- echo race`)).reply.confirm!.token;
    const both = await Promise.all([say(`confirm ${again}`), say(`confirm ${again}`)]);
    expect(both.filter((b) => !b.reply.error)).toHaveLength(1);
    expect(received.map((r) => r.command)).toEqual(['echo race']);
  });

  it('with confirmations turned off, a destructive command runs at once; the conversation\'s server is used when none is named', async () => {
    const { server, received } = await execServer();
    expect((await t.http().get('/api/v1/chatops/settings').set(alice.auth).expect(200)).body).toEqual({ confirmDestructive: true });
    await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: 'no' }).expect(400);
    expect((await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: false }).expect(200)).body).toEqual({ confirmDestructive: false });
    try {
      const r = (await say('run -- echo now', alice, server.id)).reply;
      expect(r).toMatchObject({ text: 'now\n' });
      expect(r.confirm).toBeUndefined();
      expect(received).toHaveLength(1);
      const audit = (await t.db.query(`SELECT description FROM audit_logs WHERE user_id = $1 AND action = 'chatops.settings_update'`, [alice.user.id])).rows;
      expect(audit).toEqual([{ description: 'ChatOps confirmation of destructive commands turned off' }]);
    } finally {
      await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: true }).expect(200);
    }
  });

  it('docker: lists containers, restarts one through the agent after the confirmation, reads its logs', async () => {
    const d = await dockerAgent(t, alice, healthyDocker);
    agents.push(d.agent);
    const name = d.server.name;
    const list = (await say(`containers ${name}`)).reply;
    expect(list.table?.rows).toEqual([['web', 'nginx:1.27', 'running', 'Up 2 hours (healthy)'], ['db', 'postgres:16', 'exited', 'Exited (3) 5 minutes ago']]);
    expect(list.actions).toEqual([
      { label: 'Restart web', command: `docker restart web on ${name}`, style: 'danger', serverId: d.server.id, capability: 'docker.action' },
      { label: 'Start db', command: `docker start db on ${name}`, style: 'primary', serverId: d.server.id, capability: 'docker.action' },
    ]);

    const asked = (await say(`docker restart web on ${name}`)).reply;
    expect(d.received.filter((r) => r.action === 'restart')).toEqual([]);
    const done = (await say(`confirm ${asked.confirm!.token}`)).reply;
    expect(done.title).toBe(`Container web restarted on ${name}`);
    expect(d.received.filter((r) => r.action === 'restart')).toEqual([expect.objectContaining({ action: 'restart', containerId: 'web', options: {} })]);
    expect(await auditOf(d.server.id, 'docker.')).toEqual([
      { action: 'docker.restart', description: expect.stringContaining('succeeded (via chat, dashboard)'), success: true, channel: 'dashboard' },
    ]);

    // start is not destructive: no confirmation
    expect((await say(`docker start ${CONTAINER_ID.slice(0, 12)} on ${name}`)).reply.title).toBe(`Container web started on ${name}`);
    const logs = (await say(`logs web on ${name} 10`)).reply;
    expect(logs).toMatchObject({ text: 'listening on :80\n! warn: slow upstream', monospace: true });
    expect(d.received.filter((r) => r.action === 'logs')).toEqual([expect.objectContaining({ options: expect.objectContaining({ tail: 10 }) })]);
  });

  it('alerts, ack by the short id and resolve go through the alerts service (audited with the channel)', async () => {
    const sim = await simAgent(t, alice, `api-${uniq()}`);
    sims.push(sim);
    await createRule(t, alice, { serverId: sim.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80 });
    await sim.cpu(95);
    const [alert] = await waitAlerts(t, alice, sim.server.id, (l) => l.length === 1, 'fired');

    const listed = (await say('alerts active')).reply;
    expect(listed.table?.rows).toContainEqual([alert.id.slice(0, 8), sim.server.name, alert.severity, 'active', alert.message, expect.any(String)]);
    expect(listed.actions).toContainEqual({ label: `Ack ${alert.id.slice(0, 8)}`, command: `ack ${alert.id}`, style: 'primary', serverId: sim.server.id, capability: 'alerts.manage' });

    expect((await say(`ack ${alert.id}`, mallory)).reply.error).toEqual({ code: 'alert.not_found', message: 'Alert not found' });
    const acked = (await say(`ack ${alert.id.slice(0, 8)} on it`)).reply;
    expect(acked.title).toBe(`Alert acknowledged: ${alert.message}`);
    const rest = (await t.http().get(`/api/v1/alerts/${alert.id}`).set(alice.auth).expect(200)).body;
    expect(rest).toMatchObject({ status: 'acknowledged', acknowledgedBy: alice.user.username, acknowledgeNote: 'on it' });
    expect((await say(`ack ${alert.id}`)).reply.error).toEqual({ code: 'alert.already_acknowledged', message: 'The alert is already acknowledged' });
    await say(`resolve ${alert.id} fixed`);
    expect(await auditOf(sim.server.id, 'alert.')).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'alert.acknowledge', channel: 'dashboard', description: expect.stringContaining('(via chat, dashboard)') }),
      expect.objectContaining({ action: 'alert.resolve', channel: 'dashboard' }),
    ]));

    const silenced = (await say(`silence ${sim.server.name} 30m deploying v2`)).reply;
    expect(silenced.title).toBe(`Alerts on ${sim.server.name} silenced for 30m`);
    const silences = (await t.http().get('/api/v1/alerts/silences').set(alice.auth).expect(200)).body;
    expect(silences).toContainEqual(expect.objectContaining({ serverId: sim.server.id, reason: 'deploying v2', active: true }));
  });

  it('another user\'s server gets the REST 404 wording, by id or name, and nothing reaches its agent', async () => {
    const { server, received } = await execServer(alice);
    const rest = (await t.http().get(`/api/v1/servers/${server.id}`).set(mallory.auth).expect(404)).body;
    for (const text of [`status ${server.id}`, `top ${server.id}`, `run ${server.id} -- echo pwned`, `containers ${server.id}`]) {
      expect((await say(text, mallory)).reply.error).toEqual({ code: rest.code, message: rest.message });
    }
    expect((await say(`run ${server.name} -- echo pwned`, mallory)).reply.error).toMatchObject({ code: 'server.not_found', message: `No server '${server.name}'` });
    // the conversation's server is checked too
    const res = await t.http().post('/api/v1/chatops/messages').set(mallory.auth).send({ text: 'run -- echo pwned', serverId: server.id }).expect(200);
    expect(res.body.reply.error).toEqual({ code: rest.code, message: rest.message });
    expect(received).toEqual([]);
    // nor is the entry filed under that server, and a server that does not exist is no trouble
    expect((await say('help', mallory, server.id)).reply.error).toBeUndefined();
    expect((await say('top', mallory, '00000000-0000-4000-8000-000000000000')).reply.error).toMatchObject({ code: 'server.not_found' });
    const rows = (await t.db.query('SELECT server_id FROM chat_messages WHERE user_id = $1', [mallory.user.id])).rows;
    expect(rows.every((r) => r.server_id === null)).toBe(true);
  });

  it('keeps the conversation per user: paged newest first, searchable, per server', async () => {
    const u = await registerUser(t);
    const { server } = await provisionServer(t, u, `hist-${uniq()}`);
    for (let i = 0; i < 5; i++) await say(`history ${server.name}`, u);
    await say('alerts', u);
    const page = (q: string) => t.http().get(`/api/v1/chatops/history${q}`).set(u.auth).expect(200).then((r) => r.body);
    const first = await page('?limit=4');
    expect(first.items.map((i: { text: string }) => i.text)).toEqual(['alerts', ...Array(3).fill(`history ${server.name}`)]);
    expect(first.items[0]).toEqual({
      id: expect.any(String), channel: 'dashboard', text: 'alerts', command: 'alerts', serverId: null, ok: true, reply: expect.objectContaining({ title: 'No open alerts' }), createdAt: expect.any(String),
    });
    const second = await page(`?limit=4&before=${first.nextCursor}`);
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect((await page(`?serverId=${server.id}`)).items).toHaveLength(5);
    expect((await page('?q=ALER')).items.map((i: { text: string }) => i.text)).toEqual(['alerts']);
    expect((await t.http().get(`/api/v1/chatops/history?serverId=${server.id}`).set(alice.auth).expect(200)).body.items).toEqual([]);
    await t.http().get('/api/v1/chatops/history?before=nope').set(u.auth).expect(400);
    await t.http().get('/api/v1/chatops/history?limit=0').set(u.auth).expect(400);
  });

  it('completes commands, server names and the containers of the newest sample', async () => {
    const u = await registerUser(t);
    const sim = await simAgent(t, u, `cmp-${uniq()}`);
    sims.push(sim);
    await sim.send({ containers: [{ id: 'a'.repeat(64), name: 'api', image: 'x', state: 'running', status: 'Up' }] });
    const complete = (text: string, serverId?: string) =>
      t.http().get('/api/v1/chatops/complete').query({ text, ...(serverId ? { serverId } : {}) }).set(u.auth).expect(200).then((r) => r.body.items);
    expect(await complete('do')).toEqual([expect.objectContaining({ text: 'docker ', label: 'docker', kind: 'command' })]);
    expect(await complete('top ')).toEqual([{ text: `top ${sim.server.name} `, label: sim.server.name, kind: 'server' }]);
    expect(await complete('docker restart a', sim.server.id)).toEqual([{ text: 'docker restart api ', label: 'api', kind: 'container' }]);
    expect(await complete('logs a', sim.server.id)).toEqual([{ text: 'logs api ', label: 'api', kind: 'container' }]);
  });
});
