import { randomBytes } from 'node:crypto';
import { slackSignature } from '../src/modules/chatops/doors/request-auth';
import { registerUser, startTestApp, TestApp, TestUser } from './support/app';

const SECRET = 'slack-signing-secret-for-rate-limit-tests';
const MM_TOKEN = 'mattermost-token-for-rate-limit-tests';
const uniq = () => randomBytes(3).toString('hex');

/**
 * The chat rate limit (CHAT_RATE_LIMIT per account, CHAT_INTEGRATION_RATE_LIMIT per Slack workspace
 * or Mattermost team): REST answers 429 `chat.rate_limited` with Retry-After; the chat doors answer
 * 200 with a "slow down" reply (Slack shows any other status as a failure), running nothing.
 */
describe('chatops: rate limit', () => {
  let t: TestApp;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ CHAT_RATE_LIMIT: '3/60', CHAT_INTEGRATION_RATE_LIMIT: '4/60', PUBLIC_URL: 'https://chatops.example.test' });
    admin = await registerUser(t);
    alice = await registerUser(t);
    bob = await registerUser(t);
    await t.http().put('/api/v1/chatops/integrations/slack').set(admin.auth).send({ signingSecret: SECRET }).expect(200);
    await t.http().put('/api/v1/chatops/integrations/mattermost').set(admin.auth).send({ token: MM_TOKEN }).expect(200);
  });
  afterAll(async () => { await t?.close(); });

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const slash = (teamId: string, userId: string, text: string) => {
    // A fresh trigger_id: two equal bodies signed in the same second would be a replay.
    const body = form({ team_id: teamId, user_id: userId, user_name: userId, command: '/chatops', text, response_url: 'https://hooks.slack.com/commands/x', trigger_id: uniq() });
    const ts = String(Math.floor(Date.now() / 1000));
    return t.http().post('/api/v1/chatops/slack/commands')
      .set({ 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': slackSignature(SECRET, ts, body) })
      .send(body);
  };
  const rows = async (userId: string) => Number((await t.db.query('SELECT count(*) AS n FROM chat_messages WHERE user_id = $1', [userId])).rows[0].n);

  it('refuses the REST door past the account budget with 429 and Retry-After; other accounts are not affected', async () => {
    for (let i = 0; i < 3; i++) await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: 'help' }).expect(200);
    const res = await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: 'help' }).expect(429);
    expect(res.body).toMatchObject({ statusCode: 429, code: 'chat.rate_limited', message: expect.stringMatching(/^Slow down: too many chat messages\. Try again in \d+ s\.$/) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await rows(alice.user.id)).toBe(3); // the refused one is not stored
    await t.http().post('/api/v1/chatops/messages').set(bob.auth).send({ text: 'help' }).expect(200);
    // A malformed request is still a 400 (validation runs first, and costs nothing).
    await t.http().post('/api/v1/chatops/messages').set(alice.auth).send({ text: '' }).expect(400);
  });

  it('answers Slack with 200 and an ephemeral "slow down" past the workspace budget; other workspaces go on', async () => {
    const team = `T${uniq()}`;
    for (let i = 0; i < 4; i++) {
      const ok = await slash(team, `U${i}${uniq()}`, 'status').expect(200);
      expect(ok.body.blocks[0].text.text).toBe('Link your ChatOps account first');
    }
    const slow = await slash(team, `U9${uniq()}`, 'status').expect(200);
    expect(slow.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(slow.body.blocks)).toContain('Slow down: too many chat messages');
    expect(JSON.stringify(slow.body.blocks)).not.toContain('/chat/link?token=');
    expect((await slash(`T${uniq()}`, `U${uniq()}`, 'status').expect(200)).body.blocks[0].text.text).toBe('Link your ChatOps account first');
  });

  it('counts a chat user before linking, and a linked account across doors', async () => {
    const team = `T${uniq()}`;
    const user = `U${uniq()}`;
    for (let i = 0; i < 3; i++) await slash(team, user, 'status').expect(200);
    expect(JSON.stringify((await slash(team, user, 'link').expect(200)).body.blocks)).toContain('Slow down');

    // bob (one REST message so far) links a Mattermost account: its messages count as bob's, with REST's.
    const mmTeam = `mm${uniq()}`;
    const mm = (text: string) => t.http().post('/api/v1/chatops/mattermost/commands').type('form')
      .send(form({ token: MM_TOKEN, team_id: mmTeam, user_id: 'mm-bob', user_name: 'bob', command: '/chatops', text }));
    const prompt = (await mm('link').expect(200)).body;
    const token = /token=([A-Za-z0-9_-]+)/.exec(prompt.attachments[0].text)![1];
    await t.http().post('/api/v1/chatops/links/confirm').set(bob.auth).send({ token }).expect(200);
    await t.http().post('/api/v1/chatops/messages').set(bob.auth).send({ text: 'help' }).expect(200); // bob's second
    expect((await mm('help').expect(200)).body.attachments[0].title).toBe('Commands'); // the third
    await t.http().post('/api/v1/chatops/messages').set(bob.auth).send({ text: 'help' }).expect(429);
    const slow = (await mm('help').expect(200)).body;
    expect(slow.attachments[0]).toMatchObject({ title: 'Slow down', footer: 'chat.rate_limited' });
    expect(await rows(bob.user.id)).toBe(3);
  });
});
