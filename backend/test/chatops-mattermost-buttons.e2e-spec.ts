import { randomBytes } from 'node:crypto';
import type { CommandRequest } from '@chatops/protocol';
import { mattermostActionKey, signMattermostAction } from '../src/modules/chatops/doors/mattermost-actions';
import type { MattermostResponse } from '../src/modules/chatops/doors/mattermost-attachments';
import { connectAgent, makeHello, provisionServer, TestAgent } from './support/agent-client';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

const MM_TOKEN = 'mattermost-token-for-button-tests';
const PUBLIC_URL = 'https://chatops.example.test';
const TEAM = 'mmteam1';
const uniq = () => randomBytes(3).toString('hex');

/**
 * Mattermost interactive buttons: Mattermost posts a pressed button's `context` unsigned, so each
 * button carries a token this backend made and MAC'd for one linked chat user, one command and five
 * minutes, taken once. Forged, tampered, foreign, replayed and expired presses run nothing.
 */
describe('chatops: Mattermost buttons', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: TestAgent;
  let server: { id: string; name: string };
  const received: CommandRequest[] = [];
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const mm = (userId: string, text: string) => t.http().post('/api/v1/chatops/mattermost/commands').type('form')
    .send(form({ token: MM_TOKEN, team_id: TEAM, user_id: userId, user_name: userId, command: '/chatops', text }));
  const press = (body: Record<string, unknown>) => t.http().post('/api/v1/chatops/mattermost-actions').send(body);

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL });
    const admin = await registerUser(t);
    alice = await registerUser(t);
    await t.http().put('/api/v1/chatops/integrations/mattermost').set(admin.auth).send({ token: MM_TOKEN }).expect(200);
    const p = await provisionServer(t, alice, `mm-${uniq()}`);
    server = p.server;
    agent = await connectAgent(t.baseUrl, p.key.key);
    agent.socket.emit('hello', makeHello({ capabilities: { exec: true, docker: false, terminal: false } }));
    agent.socket.on('command', (req, ack) => {
      received.push(req);
      ack({ commandId: req.commandId, exitCode: 0, stdout: 'hi\n', stderr: '', durationMs: 2, timedOut: false, truncated: false });
    });
    await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(alice.auth), (r) => r.body.agent?.capabilities?.exec === true, 10_000, 'hello recorded');
    // mm-alice is linked to alice.
    const prompt = (await mm('mm-alice', 'link').expect(200)).body as MattermostResponse;
    const token = /token=([A-Za-z0-9_-]+)/.exec(prompt.attachments[0].text!)![1];
    await t.http().post('/api/v1/chatops/links/confirm').set(alice.auth).send({ token }).expect(200);
  });
  afterAll(async () => {
    agent?.close();
    await t?.close();
  });

  it('draws the confirm step as signed buttons; only the chat user it was shown to can press them, once', async () => {
    const card = (await mm('mm-alice', `run ${server.name} -- echo hi`).expect(200)).body as MattermostResponse;
    const [confirm, cancel] = card.attachments[0].actions!;
    expect(card.attachments[0].actions).toHaveLength(2);
    expect(confirm).toMatchObject({ name: 'Confirm', type: 'button', style: 'danger', integration: { url: `${PUBLIC_URL}/api/v1/chatops/mattermost-actions`, context: { token: expect.any(String) } } });
    expect(cancel).toMatchObject({ name: 'Cancel', style: 'default' });
    expect(card.attachments[0].text).not.toContain('• Confirm'); // buttons, not the commands to type
    const token = confirm.integration.context.token;

    // Forged or tampered tokens, a token pressed by someone else: 401, nothing runs.
    const [body, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, c: `run ${server.id} -- rm -rf /` })).toString('base64url')}.${mac}`;
    for (const bad of [tampered, 'x.y', '', 42, `${body}.${'A'.repeat(43)}`]) {
      expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token: bad } }).expect(401)).body.code).toBe('chat.action_invalid');
    }
    expect((await press({ user_id: 'mm-mallory', team_id: TEAM, context: { token } }).expect(401)).body.code).toBe('chat.action_invalid');
    expect((await press({ user_id: 'mm-alice', team_id: 'other-team', context: { token } }).expect(401)).body.code).toBe('chat.action_invalid');
    await press({}).expect(401);
    await t.http().post('/api/v1/chatops/mattermost-actions').expect(401); // no body at all
    await t.http().post('/api/v1/chatops/mattermost-actions').set('Content-Type', 'application/json').send('[1]').expect(401);
    await t.http().post('/api/v1/chatops/mattermost-actions').type('form').send('context=x').expect(400); // JSON only
    expect(received).toEqual([]);

    const done = (await press({ user_id: 'mm-alice', team_id: TEAM, user_name: 'alice', context: { token } }).expect(200)).body;
    expect(done.ephemeral_text).toContain(`echo hi on ${server.name}: completed (exit 0)`);
    expect(done.ephemeral_text).toContain('hi');
    expect(received.map((r) => r.command)).toEqual(['echo hi']);
    // Taken once: pressing again (or a replay of the request) runs nothing.
    expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token } }).expect(200)).body).toEqual({ ephemeral_text: 'This button was already used.' });
    expect(received).toHaveLength(1);
    // The card's Cancel now finds the confirmation used.
    expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token: cancel.integration.context.token } }).expect(200)).body.ephemeral_text).toContain('chat.confirm_used');
    // Audited with the door, as typing it would be.
    const audit = (await t.db.query(`SELECT channel FROM audit_logs WHERE server_id = $1 AND action = 'command.run'`, [server.id])).rows;
    expect(audit).toEqual([{ channel: 'mattermost' }]);
  });

  it('refuses an expired button, and a button of an account the chat user is no longer linked to', async () => {
    const key = mattermostActionKey(t.config.jwtSecret);
    const old = signMattermostAction(key, { teamId: TEAM, chatUserId: 'mm-alice', accountId: alice.user.id, command: 'status' }, Date.now() - 10 * 60_000);
    expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token: old } }).expect(200)).body).toEqual({ ephemeral_text: 'This button has expired: send the command again.' });
    const foreign = signMattermostAction(key, { teamId: TEAM, chatUserId: 'mm-alice', accountId: '00000000-0000-4000-8000-000000000000', command: 'status' });
    expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token: foreign } }).expect(200)).body.ephemeral_text).toContain('linked to another ChatOps account');
    // Unlinked: the link prompt, nothing runs.
    const links = (await t.http().get('/api/v1/chatops/links').set(alice.auth).expect(200)).body as { id: string }[];
    for (const l of links) await t.http().delete(`/api/v1/chatops/links/${l.id}`).set(alice.auth).expect(204);
    const status = signMattermostAction(key, { teamId: TEAM, chatUserId: 'mm-alice', accountId: alice.user.id, command: 'status' });
    expect((await press({ user_id: 'mm-alice', team_id: TEAM, context: { token: status } }).expect(200)).body.ephemeral_text).toContain('Link your ChatOps account first');
  });
});
