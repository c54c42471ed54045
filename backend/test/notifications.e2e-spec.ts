import { createHmac } from 'node:crypto';
import type { NotificationChannel, WebhookPayload } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import {
  createChannel, createRule, deliveries, FAST_ALERTS_ENV, listAlerts, simAgent, SimAgent, startReceiver, startSmtp, waitAlerts,
} from './support/alerts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/**
 * Delivery of alert changes to channels: a local HTTP receiver (webhook, Slack) and a local SMTP
 * server (email), through the pg-boss queue with its retries, grouping and the test endpoint.
 */
describe('notifications', () => {
  let t: TestApp;
  let alice: TestUser;
  let smtp: Smtp;
  const receivers: Receiver[] = [];
  const agents: SimAgent[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({
      ...FAST_ALERTS_ENV,
      NOTIFY_GROUP_WINDOW_SEC: '2',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_FROM: 'ChatOps <alerts@chatops.test>',
      PUBLIC_URL: 'https://chatops.example.test',
    });
    await registerUser(t); // the admin
    alice = await registerUser(t);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function receiver(statuses: number[] = []): Promise<Receiver> {
    const r = await startReceiver(statuses);
    receivers.push(r);
    return r;
  }
  async function agent(): Promise<SimAgent> {
    const a = await simAgent(t, alice);
    agents.push(a);
    return a;
  }

  it('webhook: signed JSON for fire, acknowledge and resolve; a 500 is retried with backoff; the delivery log shows it', async () => {
    const r = await receiver([500]);
    const secret = 'whsec-' + 'k'.repeat(30);
    const hook = await createChannel(t, alice, { name: 'ops hook', type: 'webhook', url: r.url, secret });
    expect(hook).toEqual({
      id: expect.any(String), name: 'ops hook', type: 'webhook', enabled: true, urlPreview: 'http://127.0.0.1:' + new URL(r.url).port + '/…',
      emailTo: null, hasSecret: true, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const raw = (await t.db.query('SELECT secret_enc FROM notification_channels WHERE id = $1', [hook.id])).rows[0].secret_enc as string;
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain('s3cr3t-token');
    expect(raw).not.toContain(secret);

    const a = await agent();
    await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [hook.id], severity: 'critical' });
    await a.cpu(93);
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired');
    await waitFor(() => r.requests.length, (n) => n === 2, 10_000, 'the retry after the 500');
    expect(r.requests[1].at - r.requests[0].at).toBeGreaterThanOrEqual(500);
    for (const req of r.requests) {
      const ts = req.headers['x-chatops-timestamp'] as string;
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      const expected = 'v1=' + createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
      expect(req.headers['x-chatops-signature']).toBe(expected);
      expect(req.headers['content-type']).toBe('application/json');
    }
    const body = r.requests[1].json as WebhookPayload;
    expect(body).toMatchObject({ type: 'alert.fired', grouped: false, deliveryId: r.requests[1].headers['x-chatops-delivery'], text: `[FIRING] critical: ${alert.message}` });
    expect(body.alerts).toEqual([{ ...alert, serverName: a.server.name }]);
    const log = await waitFor(() => deliveries(t, alice, alert.id), (d) => d[0]?.status === 'sent', 5000, 'sent');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ channelId: hook.id, channelName: 'ops hook', channelType: 'webhook', kind: 'fired', alertIds: [alert.id] });
    expect(log[0].attempts.map((x) => [x.ok, x.statusCode])).toEqual([[false, 500], [true, 200]]);
    expect(log[0].attempts[0].error).toContain('HTTP 500');

    await t.http().post(`/api/v1/alerts/${alert.id}/acknowledge`).set(alice.auth).send({ note: 'on it' }).expect(200);
    await t.http().post(`/api/v1/alerts/${alert.id}/resolve`).set(alice.auth).send({}).expect(200);
    await waitFor(() => r.requests.length, (n) => n === 4, 10_000, 'acknowledge and resolve notified');
    expect(r.requests.slice(2).map((x) => (x.json as WebhookPayload).type).sort()).toEqual(['alert.acknowledged', 'alert.resolved']);
    const ackText = r.requests.slice(2).map((x) => (x.json as WebhookPayload).text).find((x) => x.startsWith('[ACKNOWLEDGED]'));
    expect(ackText).toContain(alert.message);
  });

  it('slack: a Block Kit message with the alert, a link to it and its fields', async () => {
    const r = await receiver();
    const slack = await createChannel(t, alice, { name: 'slack', type: 'slack', url: r.url });
    expect(slack).toMatchObject({ type: 'slack', hasSecret: true });
    const a = await agent();
    await createRule(t, alice, { serverId: a.server.id, metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [slack.id] });
    await a.cpu(91);
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired');
    await waitFor(() => r.requests.length, (n) => n === 1, 10_000, 'the slack message');
    const msg = r.requests[0].json as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: unknown[]; elements?: unknown[] }[] };
    expect(msg.text).toBe(`[FIRING] warning: ${alert.message}`);
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    // Ack/Resolve buttons for the chat door's interactivity endpoint (docs/chatops.md)
    expect(msg.blocks[3].elements).toEqual([
      { type: 'button', action_id: `chatops.ack.${alert.id}`, text: { type: 'plain_text', text: 'Ack' }, value: `ack ${alert.id}`, style: 'primary' },
      { type: 'button', action_id: `chatops.resolve.${alert.id}`, text: { type: 'plain_text', text: 'Resolve' }, value: `resolve ${alert.id}` },
    ]);
    expect(msg.blocks[0].text).toEqual({ type: 'plain_text', text: msg.text });
    expect(msg.blocks[1].text!.type).toBe('mrkdwn');
    // mrkdwn: &, < and > escaped as Slack requires
    expect(msg.blocks[1].text!.text).toBe(`• <https://chatops.example.test/alerts/${alert.id}|${alert.message.replace('>', '&gt;')}>`);
    expect(msg.blocks[2].fields).toHaveLength(4);
    expect(r.requests[0].headers['x-chatops-signature']).toBeUndefined();
  });

  it('email: HTML and text over SMTP to the recipients', async () => {
    const mail = await createChannel(t, alice, { name: 'mail', type: 'email', emailTo: ['ops@example.test', 'oncall@example.test'] });
    expect(mail).toMatchObject({ type: 'email', emailTo: ['ops@example.test', 'oncall@example.test'], hasSecret: false, urlPreview: null });
    const a = await agent();
    await createRule(t, alice, { serverId: a.server.id, metricType: 'memory', comparison: 'gt', thresholdValue: 50, channelIds: [mail.id], severity: 'critical' });
    const before = smtp.mails.length;
    await a.send({ memory: { totalBytes: 8e9, usedBytes: 6e9, availableBytes: 2e9, percent: 75, swapTotalBytes: 0, swapUsedBytes: 0 } });
    const [alert] = await waitAlerts(t, alice, a.server.id, (l) => l.length === 1, 'fired');
    await waitFor(() => smtp.mails.length, (n) => n === before + 1, 10_000, 'the mail');
    const m = smtp.mails[before];
    expect(m.from).toBe('alerts@chatops.test');
    expect(m.to.sort()).toEqual(['oncall@example.test', 'ops@example.test']);
    expect(m.raw).toMatch(/^Subject: \[FIRING\] critical: /m);
    expect(m.raw).toContain('Content-Type: text/plain');
    expect(m.raw).toContain('Content-Type: text/html');
    expect(m.raw).toContain(a.server.name);
    await waitFor(() => deliveries(t, alice, alert.id), (d) => d[0]?.status === 'sent', 5000, 'logged as sent');
  });

  it('a storm: 100 servers breaching one rule at once make a few grouped messages listing them, not 100', async () => {
    const r = await receiver();
    const storm = await registerUser(t);
    const stormHook = await createChannel(t, storm, { name: 'storm', type: 'webhook', url: r.url, secret: 'z'.repeat(20) });
    await createRule(t, storm, { metricType: 'cpu', comparison: 'gt', thresholdValue: 80, channelIds: [stormHook.id] });
    const sockets: TestAgent[] = [];
    try {
      const fleet = [];
      for (let i = 0; i < 100; i++) fleet.push(await provisionServer(t, storm, `node-${i}`));
      const connected = await Promise.all(fleet.map(async ({ server, key }) => {
        const s = await connectAgent(t.baseUrl, key.key);
        sockets.push(s);
        const hello = makeHello();
        s.socket.emit('hello', hello);
        return { server, s, hello };
      }));
      await Promise.all(connected.map(({ s, hello }) => sendMetrics(s.socket, makeSample(1, hello.bootId, { cpu: { percent: 99, perCore: [99], load: [1, 1, 1], cores: 1 } }))));
      await waitFor(() => listAlerts(t, storm, 'status=open&limit=200'), (l) => l.length === 100, 15_000, '100 alerts');
      // everything is delivered once the grouping window closed: every alert in exactly one message
      const covered = () => r.requests.flatMap((q) => (q.json as WebhookPayload).alerts.map((x) => x.id));
      await waitFor(() => covered().length, (n) => n === 100, 20_000, 'all 100 alerts notified');
      expect(new Set(covered()).size).toBe(100);
      expect(r.requests.length).toBeLessThanOrEqual(4);
      const grouped = r.requests.map((q) => q.json as WebhookPayload).filter((p) => p.grouped);
      expect(grouped.length).toBeGreaterThanOrEqual(1);
      expect(grouped[0].text).toMatch(/^\[FIRING\] warning: CPU > 80% on \d+ servers$/);
    } finally {
      for (const s of sockets) s.close();
    }
  }, 90_000);

  it('the test endpoint sends a test message and reports the outcome', async () => {
    const ok = await receiver();
    const failing = await receiver([503]);
    const good = await createChannel(t, alice, { name: 'good', type: 'webhook', url: ok.url, secret: 'g'.repeat(16) });
    const bad = await createChannel(t, alice, { name: 'bad', type: 'slack', url: failing.url });
    const res = await t.http().post(`/api/v1/notifications/channels/${good.id}/test`).set(alice.auth).expect(200);
    expect(res.body).toEqual({ ok: true, statusCode: 200, error: null, durationMs: expect.any(Number) });
    expect(ok.requests).toHaveLength(1);
    expect(ok.requests[0].json).toMatchObject({ type: 'test', alerts: [], grouped: false });
    const res2 = await t.http().post(`/api/v1/notifications/channels/${bad.id}/test`).set(alice.auth).expect(200);
    expect(res2.body).toMatchObject({ ok: false, statusCode: 503, error: expect.stringContaining('HTTP 503') });
    const dead = await createChannel(t, alice, { name: 'dead', type: 'webhook', url: 'http://127.0.0.1:1/hook', secret: 'd'.repeat(16) });
    const res3 = await t.http().post(`/api/v1/notifications/channels/${dead.id}/test`).set(alice.auth).expect(200);
    expect(res3.body).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
    const log = (await t.http().get(`/api/v1/notifications/channels/${bad.id}/deliveries`).set(alice.auth).expect(200)).body;
    expect(log).toMatchObject([{ kind: 'test', status: 'failed', alertIds: [], attempts: [{ ok: false, statusCode: 503 }] }]);
  });

  it('channels: CRUD, validation, secrets never returned; another user\'s channels answer 404', async () => {
    const r = await receiver();
    const bad = await t.http().post('/api/v1/notifications/channels').set(alice.auth).send({ name: 'x', type: 'webhook', url: 'ftp://example.test/x', secret: 's'.repeat(16) }).expect(400);
    expect(bad.body.message).toContain('http');
    await t.http().post('/api/v1/notifications/channels').set(alice.auth).send({ name: 'x', type: 'webhook', url: 'file:///etc/passwd', secret: 's'.repeat(16) }).expect(400);
    await t.http().post('/api/v1/notifications/channels').set(alice.auth).send({ name: 'x', type: 'webhook', url: r.url }).expect(400); // no secret
    await t.http().post('/api/v1/notifications/channels').set(alice.auth).send({ name: 'x', type: 'email' }).expect(400);
    await t.http().post('/api/v1/notifications/channels').set(alice.auth).send({ name: 'x', type: 'pager', url: r.url }).expect(400);
    const ch = await createChannel(t, alice, { name: 'hook', type: 'webhook', url: r.url, secret: 'q'.repeat(16) });
    const listed = (await t.http().get('/api/v1/notifications/channels').set(alice.auth).expect(200)).body as NotificationChannel[];
    expect(JSON.stringify(listed)).not.toContain('s3cr3t-token');
    expect(JSON.stringify(listed)).not.toContain('q'.repeat(16));
    const renamed = await t.http().put(`/api/v1/notifications/channels/${ch.id}`).set(alice.auth).send({ name: 'renamed', enabled: false }).expect(200);
    expect(renamed.body).toMatchObject({ name: 'renamed', enabled: false, hasSecret: true });
    // the stored URL and secret were kept: the test message still goes out
    expect((await t.http().post(`/api/v1/notifications/channels/${ch.id}/test`).set(alice.auth).expect(200)).body.ok).toBe(true);
    const rule = await createRule(t, alice, { metricType: 'cpu', comparison: 'gt', thresholdValue: 99, channelIds: [ch.id], enabled: false });

    const mallory = await registerUser(t);
    await t.http().get(`/api/v1/notifications/channels/${ch.id}`).set(mallory.auth).expect(404);
    await t.http().put(`/api/v1/notifications/channels/${ch.id}`).set(mallory.auth).send({ name: 'mine' }).expect(404);
    await t.http().post(`/api/v1/notifications/channels/${ch.id}/test`).set(mallory.auth).expect(404);
    await t.http().get(`/api/v1/notifications/channels/${ch.id}/deliveries`).set(mallory.auth).expect(404);
    await t.http().delete(`/api/v1/notifications/channels/${ch.id}`).set(mallory.auth).expect(404);
    expect((await t.http().get('/api/v1/notifications/channels').set(mallory.auth).expect(200)).body).toEqual([]);
    await t.http().post('/api/v1/alerts/thresholds').set(mallory.auth).send({ metricType: 'cpu', comparison: 'gt', thresholdValue: 1, channelIds: [ch.id] }).expect(400);

    await t.http().delete(`/api/v1/notifications/channels/${ch.id}`).set(alice.auth).expect(204);
    await t.http().get(`/api/v1/notifications/channels/${ch.id}`).set(alice.auth).expect(404);
    expect((await t.http().get(`/api/v1/alerts/thresholds/${rule.id}`).set(alice.auth).expect(200)).body.channelIds).toEqual([]);
    const audit = (await t.db.query(`SELECT action FROM audit_logs WHERE user_id = $1 AND action LIKE 'channel.%' ORDER BY created_at`, [alice.user.id])).rows.map((x: { action: string }) => x.action);
    expect(audit).toEqual(expect.arrayContaining(['channel.create', 'channel.update', 'channel.delete']));
  });
});
