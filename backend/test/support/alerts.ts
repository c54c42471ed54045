import { createServer as createHttpServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type {
  Alert, AlertDetail, AlertEvent, AlertPage, AlertThreshold, CreateChannelRequest, CreateThresholdRequest, MetricsSample,
  NotificationChannel, NotificationDelivery, Server,
} from '@chatops/protocol';
import { waitFor, type TestApp, type TestUser } from './app';
import { connectAgent, makeHello, makeSample, provisionServer, sendMetrics, type TestAgent } from './agent-client';
import { collect, connectLive, type LiveClient } from './live-client';

/** Settings that make the engine and the queue answer in test time (no fixed sleeps anywhere). */
export const FAST_ALERTS_ENV: Record<string, string> = {
  ALERT_TICK_MS: '100',
  ALERT_SYNC_MS: '300',
  NOTIFY_POLL_SEC: '0.5',
  NOTIFY_RETRY_DELAY_SEC: '1',
  NOTIFY_GROUP_WINDOW_SEC: '0',
  NOTIFY_COOLDOWN_SEC: '0',
  NOTIFY_ALLOW_PRIVATE: 'true',
};

/** A simulated agent of a server, sending samples on demand (seq and bootId handled). */
export class SimAgent {
  private seq = 0;
  readonly bootId = `boot-${Math.random().toString(36).slice(2)}`;
  constructor(readonly server: Server, readonly agent: TestAgent) {}

  /** Sends one sample (cpu percent or a deep override) and waits for its ack (stored, evaluated). */
  async send(over: Partial<MetricsSample> & Record<string, unknown> = {}): Promise<void> {
    const ack = await sendMetrics(this.agent.socket, makeSample(++this.seq, this.bootId, over));
    if (!ack.ok) throw new Error(`sample refused: ${JSON.stringify(ack)}`);
  }

  cpu(percent: number): Promise<void> {
    return this.send({ cpu: { percent, perCore: [percent], load: [0.5, 0.4, 0.3], cores: 1 } });
  }

  close(): void {
    this.agent.close();
  }
}

/** A server of `user` with a connected simulated agent (hello recorded). */
export async function simAgent(t: TestApp, user: TestUser, name?: string, existing?: { server: Server; apiKey: string }): Promise<SimAgent> {
  const { server, key } = existing ? { server: existing.server, key: { key: existing.apiKey } } : await provisionServer(t, user, name);
  const agent = await connectAgent(t.baseUrl, key.key);
  agent.socket.emit('hello', makeHello());
  await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.status === 'online', 5000, 'server online');
  return new SimAgent(server, agent);
}

export async function createRule(t: TestApp, user: TestUser, body: CreateThresholdRequest): Promise<AlertThreshold> {
  const res = await t.http().post('/api/v1/alerts/thresholds').set(user.auth).send(body);
  if (res.status !== 201) throw new Error(`create rule failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as AlertThreshold;
}

export async function createChannel(t: TestApp, user: TestUser, body: CreateChannelRequest): Promise<NotificationChannel> {
  const res = await t.http().post('/api/v1/notifications/channels').set(user.auth).send(body);
  if (res.status !== 201) throw new Error(`create channel failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as NotificationChannel;
}

export async function listAlerts(t: TestApp, user: TestUser, query = ''): Promise<Alert[]> {
  const res = await t.http().get(`/api/v1/alerts${query ? `?${query}` : ''}`).set(user.auth);
  if (res.status !== 200) throw new Error(`list alerts failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as AlertPage).items;
}

export async function getAlert(t: TestApp, user: TestUser, id: string): Promise<AlertDetail> {
  return (await t.http().get(`/api/v1/alerts/${id}`).set(user.auth).expect(200)).body as AlertDetail;
}

export async function deliveries(t: TestApp, user: TestUser, alertId: string): Promise<NotificationDelivery[]> {
  return (await t.http().get(`/api/v1/alerts/${alertId}/deliveries`).set(user.auth).expect(200)).body as NotificationDelivery[];
}

/** Waits until the server's alerts (any status) satisfy `predicate`. */
export function waitAlerts(t: TestApp, user: TestUser, serverId: string, predicate: (alerts: Alert[]) => boolean, what: string, timeoutMs = 10_000): Promise<Alert[]> {
  return waitFor(() => listAlerts(t, user, `serverId=${serverId}`), predicate, timeoutMs, what);
}

/** A `/live` socket subscribed to a server, collecting its `alert` events. */
export async function watchAlerts(t: TestApp, user: TestUser, serverId: string): Promise<{ live: LiveClient; events: AlertEvent[] }> {
  const live = await connectLive(t.baseUrl, user.accessToken);
  const events = collect(live, 'alert');
  const ack = await live.timeout(5000).emitWithAck('subscribe', { serverId });
  if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
  return { live, events };
}

export interface ReceivedRequest { at: number; url: string; headers: IncomingHttpHeaders; body: string; json: unknown }

/** A local HTTP receiver: records every POST and answers with the next scripted status (then 200). */
export async function startReceiver(statuses: number[] = []): Promise<{ url: string; requests: ReceivedRequest[]; close: () => Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const script = [...statuses];
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try { json = JSON.parse(body); } catch { /* recorded as text */ }
      requests.push({ at: Date.now(), url: req.url ?? '', headers: req.headers, body, json });
      res.statusCode = script.shift() ?? 200;
      res.end(res.statusCode === 200 ? 'ok' : 'receiver failure');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook?token=s3cr3t-token`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface ReceivedMail { from: string; to: string[]; raw: string }

/** A local SMTP server (no TLS, no auth) that keeps every message it receives. */
export async function startSmtp(): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
