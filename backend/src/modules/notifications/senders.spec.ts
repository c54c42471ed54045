import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/config';
import type { ChannelEntity } from './channel.entity';
import { ChannelSender, webhookSignature } from './senders';

describe('ChannelSender and the private-address setting', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => { hits++; req.resume(); req.on('end', () => res.end('ok')); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const channel = { id: 'c', type: 'webhook', emailTo: null } as unknown as ChannelEntity;
  const sender = (allow: boolean) => new ChannelSender(loadConfig({ JWT_SECRET: 'x'.repeat(40), NOTIFY_ALLOW_PRIVATE: String(allow), NOTIFY_TIMEOUT_SEC: '2' }));
  const message = { kind: 'test' as const, alerts: [], deliveryId: 'd1', publicUrl: undefined };

  it('refuses loopback by default, by literal address and by name, before connecting', async () => {
    const before = hits;
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await sender(false).send(channel, { url: `http://${host}:${port}/hook`, secret: 's' }, message);
      expect(r).toMatchObject({ ok: false, statusCode: null });
      expect(r.error).toContain('NOTIFY_ALLOW_PRIVATE');
    }
    expect(hits).toBe(before);
  });

  it('delivers there with NOTIFY_ALLOW_PRIVATE=true', async () => {
    const r = await sender(true).send(channel, { url: `http://localhost:${port}/hook`, secret: 's' }, message);
    expect(r).toMatchObject({ ok: true, statusCode: 200, error: null });
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256', () => {
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toBe('v1=' + createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex'));
  });
});
