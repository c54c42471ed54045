import { randomBytes } from 'node:crypto';
import type { Alert } from '@chatops/protocol';
import type { MattermostResponse } from '../src/modules/chatops/doors/mattermost-attachments';
import { slackSignature } from '../src/modules/chatops/doors/request-auth';
import type { SlackButton, SlackMessage } from '../src/modules/chatops/doors/slack-blocks';
import { createChannel, createRule, FAST_ALERTS_ENV, SimAgent, startReceiver, waitAlerts } from './support/alerts';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { dockerAgent, DockerTestAgent } from './support/docker-agent';

const uniq = () => randomBytes(3).toString('hex');
const SECRET = 'slack-signing-secret-for-capability-tests';
const MM_TOKEN = 'mattermost-token-for-capability-tests';
const TEAM = 'TCAPS';

/**
 * Chat buttons follow the presser's capabilities on the server (docs/chatops.md, "Buttons and
 * capabilities"): a card offers only the buttons its recipient may use, and every press is checked
 * again, at that moment, against the linked account's role on the server; a refused press changes
 * nothing, answers why (the capability) and is audited. A team server with a viewer, an operator and
 * unlinked chat users; the real Slack interactivity endpoint (signed requests, answers through a
 * local `response_url` receiver) and the Mattermost actions endpoint.
 */
describe('chatops: buttons and capabilities', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let origin: string;
  let teamAdmin: TestUser;
  let operator: TestUser;
  let viewer: TestUser;
  let teamId: string;
  let docker: DockerTestAgent;
  let sim: SimAgent;
  const slackIds = new Map<string, string>();

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const signed = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': slackSignature(SECRET, ts, body) };
  };
  const responseUrl = () => `${origin}/slack/${uniq()}`;
  const blocksOf = (r: { json?: unknown; body?: unknown }) => JSON.stringify(((r.json ?? r.body) as SlackMessage | null)?.blocks ?? '');
  /** A slash command's answer: inline, or (slower than Slack's budget on a busy machine) the one posted to its response_url. */
  const slash = async (userId: string, text: string): Promise<{ body: SlackMessage }> => {
    const url = responseUrl();
    const body = form({ team_id: TEAM, user_id: userId, user_name: userId, command: '/chatops', text, response_url: url });
    const res = await t.http().post('/api/v1/chatops/slack/commands').set(signed(body)).send(body).expect(200);
    if (!blocksOf(res).includes('"Working…"')) return { body: res.body as SlackMessage };
    const path = new URL(url).pathname;
    return { body: (await waitFor(() => receiver.requests.find((r) => r.url === path), Boolean, 10_000, `answer to ${text}`))!.json as SlackMessage };
  };
  const buttonsOf = (m: SlackMessage): SlackButton[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
  /** Presses a Slack button as chat user `userId`; resolves with the answer posted to its response_url. */
  const pressSlack = async (userId: string, button: Pick<SlackButton, 'action_id' | 'value'>): Promise<SlackMessage> => {
    const url = responseUrl();
    const payload = JSON.stringify({ type: 'block_actions', team: { id: TEAM }, user: { id: userId, username: userId }, response_url: url, actions: [{ action_id: button.action_id, value: button.value, type: 'button' }] });
    const body = form({ payload });
    await t.http().post('/api/v1/chatops/slack/interactions').set(signed(body)).send(body).expect(200);
    const path = new URL(url).pathname;
    return (await waitFor(() => receiver.requests.find((r) => r.url === path), Boolean, 10_000, `answer to ${button.value}`))!.json as SlackMessage;
  };
  const mm = (userId: string, text: string) => t.http().post('/api/v1/chatops/mattermost/commands').type('form')
    .send(form({ token: MM_TOKEN, team_id: TEAM, user_id: userId, user_name: userId, command: '/chatops', text })).expect(200)
    .then((r) => r.body as MattermostResponse);
  const pressMm = (userId: string, token: string) => t.http().post('/api/v1/chatops/mattermost-actions')
    .send({ user_id: userId, team_id: TEAM, user_name: userId, context: { token } }).expect(200).then((r) => r.body as { ephemeral_text: string });
  const denials = async () => (await t.db.query(
    `SELECT user_id, server_id, channel, success, description FROM audit_logs WHERE action = 'chatops.button_denied' ORDER BY created_at, id`)).rows as
    { user_id: string | null; server_id: string | null; channel: string; success: boolean; description: string }[];

  /** Links chat user `chatUserId` of `provider` to `user`. */
  async function link(provider: 'slack' | 'mattermost', chatUserId: string, user: TestUser): Promise<void> {
    const text = provider === 'slack' ? blocksOf({ json: (await slash(chatUserId, 'link')).body }) : JSON.stringify(await mm(chatUserId, 'link'));
    const token = /token=([A-Za-z0-9_-]+)/.exec(text)![1];
    await t.http().post('/api/v1/chatops/links/confirm').set(user.auth).send({ token }).expect(200);
  }
  const setRole = (u: TestUser, role: 'viewer' | 'operator') =>
    t.http().put(`/api/v1/teams/${teamId}/members/${u.user.id}`).set(teamAdmin.auth).send({ role }).expect(200);

  beforeAll(async () => {
    receiver = await startReceiver();
    origin = new URL(receiver.url).origin;
    t = await startTestApp({ ...FAST_ALERTS_ENV, SLACK_RESPONSE_URL_PREFIX: `${origin}/slack/`, PUBLIC_URL: 'https://chatops.example.test' });
    const instanceAdmin = await registerUser(t);
    [teamAdmin, operator, viewer] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    await t.http().put('/api/v1/chatops/integrations/slack').set(instanceAdmin.auth).send({ signingSecret: SECRET }).expect(200);
    await t.http().put('/api/v1/chatops/integrations/mattermost').set(instanceAdmin.auth).send({ token: MM_TOKEN }).expect(200);
    teamId = (await t.http().post('/api/v1/teams').set(teamAdmin.auth).send({ name: `ops-${uniq()}` }).expect(201)).body.id;
    await t.http().post(`/api/v1/teams/${teamId}/members`).set(teamAdmin.auth).send({ user: operator.user.username, role: 'operator' }).expect(201);
    await t.http().post(`/api/v1/teams/${teamId}/members`).set(teamAdmin.auth).send({ user: viewer.user.username, role: 'viewer' }).expect(201);
    docker = await dockerAgent(t, teamAdmin);
    sim = new SimAgent(docker.server as never, docker.agent);
    await t.http().put(`/api/v1/servers/${docker.server.id}/owner`).set(teamAdmin.auth).send({ teamId }).expect(200);
    for (const [name, u] of [['viewer', viewer], ['operator', operator]] as const) {
      const id = `U${name}${uniq()}`;
      await link('slack', id, u);
      slackIds.set(name, id);
      await link('mattermost', `mm-${name}`, u);
    }
  });
  afterAll(async () => {
    docker?.agent.close();
    await t?.close();
    await receiver?.close();
  });

  it('Slack alert buttons: a viewer\'s Resolve is refused (capability named, audited), an unlinked user gets the link instructions, an operator resolves', async () => {
    const channel = await createChannel(t, teamAdmin, { name: `slack-${uniq()}`, type: 'slack', url: `${origin}/notify/${uniq()}` });
    await createRule(t, teamAdmin, { serverId: docker.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [channel.id] });
    await sim.cpu(95);
    const [alert] = await waitAlerts(t, viewer, docker.server.id, (l) => l.length === 1, 'fired');
    const notified = await waitFor(() => receiver.requests.find((r) => blocksOf(r).includes(`resolve ${alert.id}`)), Boolean, 10_000, 'the Slack notification');
    const resolve = buttonsOf(notified!.json as SlackMessage).find((b) => b.value === `resolve ${alert.id}`)!;
    const status = async () => ((await t.http().get(`/api/v1/alerts/${alert.id}`).set(teamAdmin.auth).expect(200)).body as Alert).status;

    const refused = await pressSlack(slackIds.get('viewer')!, resolve);
    expect(refused.response_type).toBe('ephemeral');
    expect(blocksOf({ json: refused })).toContain('needs the capability alerts.manage');
    expect(blocksOf({ json: refused })).toContain('access.forbidden');
    expect(await status()).toBe('active');

    const stranger = `U${uniq()}`;
    const prompt = await pressSlack(stranger, resolve);
    expect(blocksOf({ json: prompt })).toContain('Link your ChatOps account first');
    expect(await status()).toBe('active');

    const audited = await denials();
    expect(audited).toEqual([
      { user_id: viewer.user.id, server_id: docker.server.id, channel: 'slack', success: false, description: expect.stringContaining(`"resolve ${alert.id}"`) },
      { user_id: null, server_id: null, channel: 'slack', success: false, description: expect.stringContaining(`${TEAM}/${stranger}: the chat user is linked to no ChatOps account`) },
    ]);
    // The team sees the refusal in its server's audit log.
    const teamLog = (await t.http().get(`/api/v1/audit?serverId=${docker.server.id}&action=chatops.button_denied`).set(teamAdmin.auth).expect(200)).body;
    expect(JSON.stringify(teamLog)).toContain('alerts.manage');

    const done = await pressSlack(slackIds.get('operator')!, resolve);
    expect(blocksOf({ json: done })).toContain('Alert resolved');
    expect(await status()).toBe('resolved');
    expect(await denials()).toHaveLength(2);
  });

  it('Slack replies offer a viewer no Restart and no Confirm; an operator gets them, and a Confirm pressed after a demotion is refused', async () => {
    const asViewer = (await slash(slackIds.get('viewer')!, `containers ${docker.server.name}`)).body as SlackMessage;
    expect(blocksOf({ json: asViewer })).toContain('Containers on');
    expect(buttonsOf(asViewer)).toEqual([]);
    const asOperator = (await slash(slackIds.get('operator')!, `containers ${docker.server.name}`)).body as SlackMessage;
    const restart = buttonsOf(asOperator).find((b) => b.value.startsWith('docker restart web'));
    expect(restart).toBeDefined();

    // The viewer asking to restart gets the refusal, not a confirmation they could not use.
    const viewerAsks = (await slash(slackIds.get('viewer')!, `docker restart web on ${docker.server.name}`)).body as SlackMessage;
    expect(blocksOf({ json: viewerAsks })).toContain('needs the capability docker.action');
    expect(buttonsOf(viewerAsks)).toEqual([]);

    // The operator presses Restart: a confirmation with Confirm and Cancel.
    const card = await pressSlack(slackIds.get('operator')!, restart!);
    expect(buttonsOf(card).map((b) => b.text.text)).toEqual(['Confirm', 'Cancel']);
    const confirm = buttonsOf(card)[0];
    // Demoted before pressing Confirm: checked at the press, nothing restarts.
    await setRole(operator, 'viewer');
    try {
      const refused = await pressSlack(slackIds.get('operator')!, confirm);
      expect(blocksOf({ json: refused })).toContain('needs the capability docker.action');
      expect(docker.received.filter((r) => r.action === 'restart')).toEqual([]);
      expect((await denials()).at(-1)).toMatchObject({ user_id: operator.user.id, server_id: docker.server.id, channel: 'slack', success: false });
    } finally {
      await setRole(operator, 'operator');
    }
  });

  it('Mattermost: a viewer\'s card carries no Restart buttons; a button pressed after a demotion is refused and audited; an operator\'s press runs', async () => {
    const viewerCard = await mm('mm-viewer', `containers ${docker.server.name}`);
    expect(viewerCard.attachments[0].title).toContain('Containers on');
    expect(viewerCard.attachments[0].actions ?? []).toEqual([]);
    expect(JSON.stringify(viewerCard)).not.toContain('docker restart');

    const operatorCard = await mm('mm-operator', `containers ${docker.server.name}`);
    const restart = operatorCard.attachments[0].actions!.find((a) => a.name.startsWith('Restart'))!;
    expect(restart.integration.context.token).toEqual(expect.any(String));

    await setRole(operator, 'viewer');
    try {
      const refused = await pressMm('mm-operator', restart.integration.context.token);
      expect(refused.ephemeral_text).toContain('needs the capability docker.action');
      expect((await denials()).at(-1)).toMatchObject({ user_id: operator.user.id, server_id: docker.server.id, channel: 'mattermost', success: false });
    } finally {
      await setRole(operator, 'operator');
    }
    // A fresh card, pressed by the operator: the confirmation (Restart is destructive), then Confirm runs it.
    const again = (await mm('mm-operator', `containers ${docker.server.name}`)).attachments[0].actions!.find((a) => a.name.startsWith('Restart'))!;
    const asked = await pressMm('mm-operator', again.integration.context.token);
    expect(asked.ephemeral_text).toContain('Confirm: docker restart web');
    const token = /confirm ([A-Za-z0-9_-]{22})/.exec(asked.ephemeral_text)![1];
    await mm('mm-operator', `confirm ${token}`);
    await waitFor(() => docker.received.filter((r) => r.action === 'restart'), (l) => l.length === 1, 10_000, 'restarted');
  });
});
