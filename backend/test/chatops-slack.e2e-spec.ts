import { randomBytes } from 'node:crypto';
import type { ChatLink, CommandRequest } from '@chatops/protocol';
import { slackSignature } from '../src/modules/chatops/doors/request-auth';
import type { SlackMessage } from '../src/modules/chatops/doors/slack-blocks';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { createChannel, createRule, FAST_ALERTS_ENV, simAgent, SimAgent, startReceiver, waitAlerts } from './support/alerts';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

const uniq = () => randomBytes(3).toString('hex');
const SECRET = 'slack-signing-secret-for-tests';
const MM_TOKEN = 'mattermost-token-for-tests';
const TEAM = 'T0TEST';

/**
 * The Slack and Mattermost doors against a real backend and database with simulated agents:
 * request signing (bad, stale, replayed), account linking, the same services and wording as REST,
 * buttons through the interactivity endpoint, late answers to a local `response_url` receiver.
 */
describe('chatops: Slack and Mattermost doors', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  let mallory: TestUser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let origin: string;
  const agents: TestAgent[] = [];
  const sims: SimAgent[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    origin = new URL(receiver.url).origin;
    t = await startTestApp({ ...FAST_ALERTS_ENV, SLACK_RESPONSE_URL_PREFIX: `${origin}/slack/`, MATTERMOST_RESPONSE_URL_PREFIX: `${origin}/mm/`, PUBLIC_URL: 'https://chatops.example.test' });
    admin = await registerUser(t);
    alice = await registerUser(t);
    mallory = await registerUser(t);
    await t.http().put('/api/v1/chatops/integrations/slack').set(admin.auth).send({ signingSecret: SECRET }).expect(200);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const s of sims.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const signed = (body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) =>
    ({ 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(ts), 'X-Slack-Signature': slackSignature(secret, String(ts), body) });
  const responseUrl = () => `${origin}/slack/${uniq()}`;

  /** A slash command from Slack user `userId`; the HTTP answer (status checked by the caller). */
  const slash = (userId: string, text: string, extra: Record<string, string> = {}) => {
    const body = form({ token: 'legacy', team_id: TEAM, team_domain: 'test', channel_id: 'C1', user_id: userId, user_name: `name-${userId}`, command: '/chatops', text, response_url: responseUrl(), trigger_id: 't', api_app_id: 'A1', ...extra });
    return t.http().post('/api/v1/chatops/slack/commands').set(signed(body)).send(body);
  };
  const blocksText = (m: SlackMessage) => JSON.stringify(m.blocks);
  /** Links Slack user `userId` to `user` through `link` and the REST confirmation. */
  async function link(userId: string, user: TestUser): Promise<ChatLink> {
    const res = await slash(userId, 'link').expect(200);
    const token = /\/chat\/link\?token=([A-Za-z0-9_-]+)/.exec(blocksText(res.body))![1];
    return (await t.http().post('/api/v1/chatops/links/confirm').set(user.auth).send({ token }).expect(200)).body;
  }

  /** A Slack user linked to `user`. */
  async function linkedSlackUser(user: TestUser) {
    const id = `U${uniq()}`;
    await link(id, user);
    return id;
  }

  /** A server of `user` whose simulated agent runs commands by echoing them. */
  async function execServer(user: TestUser) {
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

  it('answers a correctly signed slash command; refuses a bad signature, a stale timestamp and a replay with 401', async () => {
    const u = await linkedSlackUser(alice);
    const ok = await slash(u, 'help').expect(200);
    expect(ok.body).toMatchObject({ response_type: 'ephemeral', blocks: expect.arrayContaining([{ type: 'header', text: { type: 'plain_text', text: 'Commands' } }]) });

    const body = form({ team_id: TEAM, user_id: u, text: 'help', response_url: responseUrl() });
    const bad = await t.http().post('/api/v1/chatops/slack/commands').set(signed(body, undefined, 'wrong-secret')).send(body).expect(401);
    expect(bad.body).toMatchObject({ code: 'chat.signature_invalid' });
    const tampered = await t.http().post('/api/v1/chatops/slack/commands').set(signed(body)).send(body.replace('help', 'status')).expect(401);
    expect(tampered.body.code).toBe('chat.signature_invalid');
    await t.http().post('/api/v1/chatops/slack/commands').set({ 'Content-Type': 'application/x-www-form-urlencoded' }).send(body).expect(401);
    const stale = await t.http().post('/api/v1/chatops/slack/commands').set(signed(body, Math.floor(Date.now() / 1000) - 6 * 60)).send(body).expect(401);
    expect(stale.body.code).toBe('chat.request_stale');

    const sslCheck = form({ ssl_check: '1', token: 'legacy' });
    await t.http().post('/api/v1/chatops/slack/commands').set(signed(sslCheck)).send(sslCheck).expect(200);
    const incomplete = form({ text: 'help' });
    expect((await t.http().post('/api/v1/chatops/slack/commands').set(signed(incomplete)).send(incomplete).expect(400)).body.code).toBe('chat.bad_payload');

    const headers = signed(body);
    await t.http().post('/api/v1/chatops/slack/commands').set(headers).send(body).expect(200);
    const replay = await t.http().post('/api/v1/chatops/slack/commands').set(headers).send(body).expect(401);
    expect(replay.body.code).toBe('chat.request_replayed');
  });

  it('gives an unlinked user a link prompt and runs nothing', async () => {
    const { server, received } = await execServer(alice);
    const before = (await t.db.query('SELECT count(*)::int AS n FROM chat_messages')).rows[0].n;
    const res = await slash(`U${uniq()}`, `run ${server.name} -- echo hi`).expect(200);
    expect(res.body.blocks[0].text.text).toBe('Link your ChatOps account first');
    expect(blocksText(res.body)).toMatch(/https:\/\/chatops\.example\.test\/chat\/link\?token=[A-Za-z0-9_-]{43}/);
    expect(blocksText(res.body)).toContain('nothing was run');
    expect((await t.db.query('SELECT count(*)::int AS n FROM chat_messages')).rows[0].n).toBe(before);
    expect(received).toEqual([]);
  });

  it('treats the linked Slack user of a disabled account as unlinked: nothing runs until an admin enables it', async () => {
    const dora = await registerUser(t);
    const { server, received } = await execServer(dora);
    const slackUser = await linkedSlackUser(dora);
    await t.http().post(`/api/v1/admin/users/${dora.user.id}/disable`).set(admin.auth).expect(200);
    const res = await slash(slackUser, `run ${server.name} -- echo hi`).expect(200);
    expect(res.body.blocks[0].text.text).toBe('Link your ChatOps account first');
    expect(blocksText(res.body)).toContain('nothing was run');
    expect(received).toEqual([]);
    await t.http().post(`/api/v1/admin/users/${dora.user.id}/enable`).set(admin.auth).expect(200);
    expect(blocksText((await slash(slackUser, 'help').expect(200)).body)).not.toContain('Link your ChatOps account first');
  });

  it('links end to end: one-time token, listed, acting as the account, revocable (audited)', async () => {
    const u = `U${uniq()}`;
    const res = await slash(u, 'link').expect(200);
    const token = /token=([A-Za-z0-9_-]+)/.exec(blocksText(res.body))![1];
    const stored = await t.db.query('SELECT token_hash FROM chat_link_requests WHERE chat_user_id = $1', [u]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].token_hash).not.toContain(token);

    await t.http().post('/api/v1/chatops/links/confirm').send({ token }).expect(401);
    await t.http().post('/api/v1/chatops/links/preview').send({ token }).expect(401);
    const preview = (await t.http().post('/api/v1/chatops/links/preview').set(alice.auth).send({ token }).expect(200)).body;
    expect(preview).toEqual({ provider: 'slack', teamId: TEAM, chatUserId: u, chatUserName: `name-${u}`, expiresAt: expect.any(String) });
    const created: ChatLink = (await t.http().post('/api/v1/chatops/links/confirm').set(alice.auth).send({ token }).expect(200)).body;
    expect(created).toMatchObject({ provider: 'slack', teamId: TEAM, chatUserId: u, chatUserName: `name-${u}` });
    const again = await t.http().post('/api/v1/chatops/links/confirm').set(mallory.auth).send({ token }).expect(409);
    expect(again.body.code).toBe('chat.link_used');
    expect((await t.http().post('/api/v1/chatops/links/preview').set(alice.auth).send({ token }).expect(409)).body.code).toBe('chat.link_used');
    expect((await t.http().post('/api/v1/chatops/links/confirm').set(alice.auth).send({ token: 'x'.repeat(43) }).expect(404)).body.code).toBe('chat.link_unknown');

    expect((await t.http().get('/api/v1/chatops/links').set(alice.auth).expect(200)).body).toContainEqual(created);
    expect((await t.http().get('/api/v1/chatops/links').set(mallory.auth).expect(200)).body).not.toContainEqual(created);

    const st = await slash(u, 'status').expect(200);
    expect(st.body.blocks[0].text.text).not.toMatch(/Link your/);
    const history = (await t.http().get('/api/v1/chatops/history').set(alice.auth).expect(200)).body.items;
    expect(history[0]).toMatchObject({ channel: 'slack', text: 'status', command: 'status' });

    await t.http().delete(`/api/v1/chatops/links/${created.id}`).set(mallory.auth).expect(404);
    await t.http().delete(`/api/v1/chatops/links/${created.id}`).set(alice.auth).expect(204);
    expect((await slash(u, 'status').expect(200)).body.blocks[0].text.text).toBe('Link your ChatOps account first');
    const audit = (await t.db.query(`SELECT action FROM audit_logs WHERE user_id = $1 AND action LIKE 'chatops.%link' ORDER BY created_at`, [alice.user.id])).rows;
    expect(audit.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['chatops.link', 'chatops.unlink']));
  });

  it('answers a linked user acting on a server they do not own with the REST 404 wording', async () => {
    const { server } = await execServer(alice);
    const m = await linkedSlackUser(mallory);
    const rest = (await t.http().get(`/api/v1/servers/${server.id}`).set(mallory.auth).expect(404)).body;
    const res = await slash(m, `history ${server.id}`).expect(200);
    expect(blocksText(res.body)).toContain(rest.message);
    expect(blocksText(res.body)).toContain(rest.code);
  });

  it('runs `run` after the confirm button, answering through response_url', async () => {
    const { server, received } = await execServer(alice);
    const u = await linkedSlackUser(alice);
    const ack = await slash(u, `run ${server.name} -- echo hi`).expect(200);
    expect(ack.body.blocks[0].text.text).toBe('Working…');
    const asked = await waitFor(() => receiver.requests.find((r) => r.headers['content-type'] === 'application/json' && blocksOf(r).includes(`Confirm: run ${server.name}`)), Boolean, 10_000, 'confirm card');
    const confirm = (asked!.json as SlackMessage).blocks.find((b) => b.type === 'actions');
    expect(confirm).toMatchObject({ type: 'actions', elements: [
      expect.objectContaining({ style: 'danger', value: expect.stringMatching(/^confirm /) }),
      expect.objectContaining({ value: expect.stringMatching(/^cancel /) }),
    ] });
    expect(received).toEqual([]);

    const button = (confirm as Extract<SlackMessage['blocks'][number], { type: 'actions' }>).elements[0];
    // The confirmation belongs to the user who asked: another linked user pressing it runs nothing.
    const other = await linkedSlackUser(mallory);
    const stolen = form({ payload: JSON.stringify({ type: 'block_actions', team: { id: TEAM }, user: { id: other }, response_url: responseUrl(), actions: [{ action_id: button.action_id, value: button.value }] }) });
    await t.http().post('/api/v1/chatops/slack/interactions').set(signed(stolen)).send(stolen).expect(200);
    await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes('chat.confirm_unknown')), Boolean, 10_000, 'confirm refused');
    expect(received).toEqual([]);
    const payload = JSON.stringify({ type: 'block_actions', team: { id: TEAM }, user: { id: u, username: 'alice', team_id: TEAM }, response_url: responseUrl(), actions: [{ action_id: button.action_id, value: button.value, type: 'button' }] });
    const body = form({ payload });
    await t.http().post('/api/v1/chatops/slack/interactions').set(signed(body)).send(body).expect(200);
    const done = await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes(`echo hi on ${server.name}: completed (exit 0)`)), Boolean, 10_000, 'run result');
    expect(blocksOf(done!)).toContain('```hi');
    expect(received.map((r) => r.command)).toEqual(['echo hi']);
    const audit = (await t.db.query(`SELECT channel FROM audit_logs WHERE server_id = $1 AND action LIKE 'command.%'`, [server.id])).rows;
    expect(audit).toEqual(expect.arrayContaining([{ channel: 'slack' }]));
  });

  it('posts a long `run` result to response_url as several messages, in order', async () => {
    const { server } = await execServer(alice);
    const u = await linkedSlackUser(alice);
    await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: false }).expect(200);
    try {
      const lines = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(56)}`);
      const url = responseUrl();
      const path = new URL(url).pathname;
      await slash(u, `run ${server.name} -- echo ${lines.join('\n')}`, { response_url: url }).expect(200);
      const posts = await waitFor(() => receiver.requests.filter((r) => r.url === path), (r) => r.length === 2, 10_000, 'two messages');
      // The card first (its title is the command, cut to the header's 150 characters), with the fields.
      const card = posts[0].json as SlackMessage;
      expect(card.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^echo 00 x+/) } });
      expect(card.blocks.find((b) => b.type === 'section' && b.fields)).toMatchObject({ fields: [{ text: '*Status*\ncompleted' }, { text: '*Exit code*\n0' }, expect.anything()] });
      expect(blocksOf(posts[0])).toContain('Output 1/2');
      expect(blocksOf(posts[1])).toContain('Output 2/2: echo 00 x');
      const shown = posts.map((p) => ((p.json as SlackMessage).blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```')) as { text: { text: string } }).text.text.slice(3, -3)).join('');
      expect(shown).toBe(`${lines.join('\n')}\n`);
    } finally {
      await t.http().put('/api/v1/chatops/settings').set(alice.auth).send({ confirmDestructive: true }).expect(200);
    }
  });

  it('acknowledges an alert with the Ack button of its Slack notification (linked users only)', async () => {
    const sim = await simAgent(t, alice, `api-${uniq()}`);
    sims.push(sim);
    const channel = await createChannel(t, alice, { name: `slack-${uniq()}`, type: 'slack', url: `${origin}/notify/${uniq()}` });
    await createRule(t, alice, { serverId: sim.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [channel.id] });
    await sim.cpu(95);
    const [alert] = await waitAlerts(t, alice, sim.server.id, (l) => l.length === 1, 'fired');
    const notified = await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes(`ack ${alert.id}`)), Boolean, 10_000, 'the Slack notification');
    const actions = (notified!.json as SlackMessage).blocks.find((b) => b.type === 'actions') as Extract<SlackMessage['blocks'][number], { type: 'actions' }>;
    const ackButton = actions.elements.find((e) => e.value === `ack ${alert.id}`)!;
    expect(actions.elements.map((e) => e.value)).toEqual([`ack ${alert.id}`, `resolve ${alert.id}`]);

    const press = (userId: string) => {
      const payload = JSON.stringify({ type: 'block_actions', team: { id: TEAM }, user: { id: userId, username: 'x' }, response_url: responseUrl(), actions: [{ action_id: ackButton.action_id, value: ackButton.value, type: 'button' }] });
      const body = form({ payload });
      return t.http().post('/api/v1/chatops/slack/interactions').set(signed(body)).send(body).expect(200);
    };
    await press(`U${uniq()}`); // nobody: a link prompt, nothing done
    await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes('Link your ChatOps account first') && blocksOf(r).includes('nothing was run')), Boolean, 10_000, 'link prompt');
    await press(await linkedSlackUser(mallory)); // linked, but not allowed to see the alert: the REST wording
    await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes('Alert not found') && blocksOf(r).includes('alert.not_found')), Boolean, 10_000, 'not found');
    expect((await t.http().get(`/api/v1/alerts/${alert.id}`).set(alice.auth).expect(200)).body.status).toBe('active');

    await press(await linkedSlackUser(alice));
    await waitFor(() => t.http().get(`/api/v1/alerts/${alert.id}`).set(alice.auth), (r) => r.body.status === 'acknowledged', 10_000, 'acknowledged');
    await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes(`Alert acknowledged: ${alert.message}`)), Boolean, 10_000, 'ack card');
    const audit = (await t.db.query(`SELECT channel FROM audit_logs WHERE server_id = $1 AND action = 'alert.acknowledge'`, [sim.server.id])).rows;
    expect(audit).toEqual([{ channel: 'slack' }]);
  });

  it('keeps integration secrets to admins and never returns them (audited)', async () => {
    await t.http().get('/api/v1/chatops/integrations/slack').set(alice.auth).expect(403);
    await t.http().put('/api/v1/chatops/integrations/slack').set(alice.auth).send({ signingSecret: 'x'.repeat(20) }).expect(403);
    const status = (await t.http().get('/api/v1/chatops/integrations/slack').set(admin.auth).expect(200)).body;
    expect(status).toEqual({ provider: 'slack', configured: true, source: 'stored', updatedAt: expect.any(String) });
    expect(JSON.stringify(status)).not.toContain(SECRET);
    const row = (await t.db.query(`SELECT secret FROM chat_integrations WHERE provider = 'slack'`)).rows[0];
    expect(row.secret).not.toContain(SECRET);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'chatops.integration_update'`)).rows[0].n).toBeGreaterThan(0);
  });

  it('Mattermost: the token checked in constant time, the same language, message attachments', async () => {
    const mm = (fields: Record<string, string>) =>
      t.http().post('/api/v1/chatops/mattermost/commands').type('form').send(form({ team_id: 'mmteam', channel_id: 'c', user_name: 'bob', command: '/chatops', response_url: `${origin}/mm/${uniq()}`, ...fields }));
    expect((await mm({ token: MM_TOKEN, user_id: 'mm1', text: 'status' }).expect(503)).body.code).toBe('chat.integration_not_configured');
    await t.http().put('/api/v1/chatops/integrations/mattermost').set(admin.auth).send({ token: MM_TOKEN }).expect(200);
    expect((await mm({ token: 'wrong-token-xyz', user_id: 'mm1', text: 'status' }).expect(401)).body.code).toBe('chat.token_invalid');
    await mm({ user_id: 'mm1', text: 'status' }).expect(401);

    const prompt = (await mm({ token: MM_TOKEN, user_id: 'mm1', text: 'status' }).expect(200)).body;
    expect(prompt).toMatchObject({ response_type: 'ephemeral', attachments: [expect.objectContaining({ title: 'Link your ChatOps account first' })] });
    const token = /token=([A-Za-z0-9_-]+)/.exec(prompt.attachments[0].text)![1];
    await t.http().post('/api/v1/chatops/links/confirm').set(alice.auth).send({ token }).expect(200);
    const { server } = await execServer(alice);
    const st = (await mm({ token: MM_TOKEN, user_id: 'mm1', text: `status ${server.name}` }).expect(200)).body;
    expect(st.attachments[0].title).toContain(server.name);
    const history = (await t.http().get('/api/v1/chatops/history').set(alice.auth).expect(200)).body.items;
    expect(history[0]).toMatchObject({ channel: 'mattermost', text: `status ${server.name}` });

    // Slow commands: acknowledged at once, answered to the response_url (under MATTERMOST_RESPONSE_URL_PREFIX).
    const ack = (await mm({ token: MM_TOKEN, user_id: 'mm1', text: `run ${server.name} -- echo from-mm` }).expect(200)).body;
    expect(ack.attachments[0].title).toBe('Working…');
    const attachmentsOf = (r: { json: unknown }) => JSON.stringify((r.json as { attachments?: unknown } | null)?.attachments ?? '');
    const asked = await waitFor(() => receiver.requests.find((r) => attachmentsOf(r).includes(`Confirm: run ${server.name} -- echo from-mm`)), Boolean, 10_000, 'confirm card');
    const confirmToken = /confirm ([A-Za-z0-9_-]{22})/.exec(attachmentsOf(asked!))![1];
    await mm({ token: MM_TOKEN, user_id: 'mm1', text: `confirm ${confirmToken}` }).expect(200);
    await waitFor(() => receiver.requests.find((r) => attachmentsOf(r).includes(`echo from-mm on ${server.name}: completed (exit 0)`)), Boolean, 10_000, 'run result');
  });

  it('refuses non-form bodies on the doors and keeps JSON elsewhere', async () => {
    await t.http().post('/api/v1/chatops/slack/commands').send({ text: 'status' }).expect(400);
    await t.http().post('/api/v1/chatops/messages').set(alice.auth).type('form').send('text=status').expect(400);
  });
});

function blocksOf(r: { json: unknown }): string {
  return JSON.stringify((r.json as SlackMessage | null)?.blocks ?? '');
}
