import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createTransport, type Transporter } from 'nodemailer';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, type DeliveryAttempt } from '@chatops/protocol';
import type { AppConfig } from '../../config/config';
import type { ChannelEntity, ChannelSecrets } from './channel.entity';
import { html, plainText, slackMessage, title, webhookPayload, type Message } from './message-format';
import { guardedLookup, isPrivateAddress, literalAddress, PrivateAddressError } from './url-guard';

/** Longest response body read (and kept in the error) from a receiver. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: what a receiver recomputes to verify a
 * webhook (docs/alerts.md). The timestamp (Unix seconds) is sent in its own header.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Sends one message to one channel; never throws (the outcome says what happened). */
export class ChannelSender {
  private mailer: Transporter | null = null;

  constructor(private readonly config: AppConfig) {}

  async send(channel: ChannelEntity, secrets: ChannelSecrets, m: Message): Promise<DeliveryAttempt> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const { statusCode, error } = await this.dispatch(channel, secrets, m, at);
      return { at, ok: error === null, statusCode, error, durationMs: Date.now() - started };
    } catch (err) {
      return { at, ok: false, statusCode: null, error: describe(err), durationMs: Date.now() - started };
    }
  }

  close(): void {
    this.mailer?.close();
  }

  private async dispatch(channel: ChannelEntity, secrets: ChannelSecrets, m: Message, at: string): Promise<{ statusCode: number | null; error: string | null }> {
    switch (channel.type) {
      case 'webhook': {
        const body = JSON.stringify(webhookPayload(m, at));
        const timestamp = String(Math.floor(Date.parse(at) / 1000));
        const headers: Record<string, string> = { [WEBHOOK_TIMESTAMP_HEADER]: timestamp, [WEBHOOK_DELIVERY_HEADER]: m.deliveryId };
        if (secrets.secret) headers[WEBHOOK_SIGNATURE_HEADER] = webhookSignature(secrets.secret, timestamp, body);
        return this.post(secrets.url ?? '', body, headers);
      }
      case 'slack':
        return this.post(secrets.url ?? '', JSON.stringify(slackMessage(m)), {});
      case 'email':
        await this.mail(channel.emailTo ?? [], m);
        return { statusCode: null, error: null };
    }
  }

  private async mail(to: string[], m: Message): Promise<void> {
    const smtp = this.config.notify.smtp;
    if (!smtp.host) throw new Error('email is not configured: set SMTP_HOST (and SMTP_PORT, SMTP_FROM, ...)');
    this.mailer ??= createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: this.config.notify.timeoutSec * 1000,
      greetingTimeout: this.config.notify.timeoutSec * 1000,
      socketTimeout: this.config.notify.timeoutSec * 1000,
    });
    await this.mailer.sendMail({ from: smtp.from, to, subject: title(m), text: plainText(m), html: html(m) });
  }

  private post(raw: string, body: string, headers: Record<string, string>): Promise<{ statusCode: number | null; error: string | null }> {
    return postJson(raw, body, headers, { allowPrivate: this.config.notify.allowPrivate, timeoutSec: this.config.notify.timeoutSec });
  }
}

/**
 * POSTs JSON with the private-address guard (unless `allowPrivate`), no redirects, a timeout;
 * 2xx is success. Shared with the chat doors (Slack's response_url).
 */
export function postJson(
  raw: string, body: string, headers: Record<string, string>, opts: { allowPrivate: boolean; timeoutSec: number },
): Promise<{ statusCode: number | null; error: string | null }> {
  const url = new URL(raw);
  const literal = literalAddress(url);
  const { allowPrivate, timeoutSec } = opts;
  if (literal && !allowPrivate && isPrivateAddress(literal)) return Promise.reject(new PrivateAddressError(url.hostname, literal));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      lookup: guardedLookup(allowPrivate),
      timeout: timeoutSec * 1000,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'ChatOps-Notifier/1', ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ statusCode: status, error: null });
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 300).replace(/\s+/g, ' ').trim();
        resolve({ statusCode: status, error: `HTTP ${status}${text ? `: ${text}` : ''}` });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutSec} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** An error as a delivery log shows it: the message only, never a URL (it may hold a token). */
function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/https?:\/\/\S+/g, '<url>').slice(0, 500);
}
