import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's limit: a request older (or newer) than this is refused. */
export const SLACK_MAX_SKEW_SEC = 5 * 60;

export type SlackSignatureCheck = 'ok' | 'bad' | 'stale';

/**
 * Slack request signing: `X-Slack-Signature` = `v0=` + hex HMAC-SHA256(signing secret,
 * `v0:<X-Slack-Request-Timestamp>:<raw body>`), the timestamp within five minutes of now.
 * Compared in constant time; a missing or malformed header is simply `bad`.
 */
export function checkSlackSignature(
  secret: string, timestamp: string | undefined, rawBody: Buffer, signature: string | undefined, nowSec = Math.floor(Date.now() / 1000),
): SlackSignatureCheck {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return 'bad';
  if (Math.abs(nowSec - Number(timestamp)) > SLACK_MAX_SKEW_SEC) return 'stale';
  const mac = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex');
  return sameSecret(`v0=${mac}`, signature) ? 'ok' : 'bad';
}

/** The Slack signature a test (or a Slack simulator) sends. */
export function slackSignature(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** Constant-time equality of two strings of any length (both hashed first, so lengths leak nothing). */
export function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected.length === given.length;
}
