import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ChatErrorCode, ChatException } from './chatops.errors';

/** Who a chat budget is counted for: one ChatOps account (every door together), one chat integration (a workspace/team), or a chat user not linked yet. */
export type ChatBudget =
  | { kind: 'account'; userId: string }
  | { kind: 'integration'; provider: string; teamId: string }
  | { kind: 'chat_user'; provider: string; teamId: string; chatUserId: string };

export type ChatLimitVerdict = { ok: true } | { ok: false; retryAfterSec: number };

/** The storage key: a hash, the same on every instance (no ids in Redis key names). */
export const chatThrottleKey = (b: ChatBudget): string =>
  createHash('sha256').update(`chatops-chat:${b.kind}:${b.kind === 'account' ? b.userId : `${b.provider}:${b.teamId}${b.kind === 'chat_user' ? `:${b.chatUserId}` : ''}`}`).digest('hex');

/**
 * The chat rate limit (docs/chatops.md, "Rate limits"): CHAT_RATE_LIMIT messages per account,
 * CHAT_INTEGRATION_RATE_LIMIT per Slack workspace / Mattermost team (a runaway bot or script in one
 * workspace cannot starve the others). Counted in the auth limiter's storage: Redis when REDIS_URL
 * is set (shared by every instance, failing open to per-instance counters), memory otherwise.
 */
@Injectable()
export class ChatRateLimiter {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts one message in each budget (all of them, so a refused message still counts); refused if any is spent. */
  async take(budgets: ChatBudget[]): Promise<ChatLimitVerdict> {
    let retryAfterSec = 0;
    for (const b of budgets) {
      const { limit, ttlMs } = b.kind === 'integration' ? this.config.chatIntegrationRateLimit : this.config.chatRateLimit;
      // Blocked for one window once spent, as Nest's ThrottlerGuard does (blockDuration = ttl).
      const r = await this.storage.increment(chatThrottleKey(b), ttlMs, limit, ttlMs, `chat-${b.kind}`);
      if (r.isBlocked) retryAfterSec = Math.max(retryAfterSec, Math.max(1, Math.ceil(r.timeToBlockExpire)));
    }
    return retryAfterSec ? { ok: false, retryAfterSec } : { ok: true };
  }

  /** As `take`, throwing 429 `chat.rate_limited` (with `Retry-After`) when a budget is spent: the REST door. */
  async enforce(budgets: ChatBudget[]): Promise<void> {
    const v = await this.take(budgets);
    if (!v.ok) {
      throw new ChatException(ChatErrorCode.RateLimited, slowDown(v.retryAfterSec), undefined, { 'Retry-After': String(v.retryAfterSec) });
    }
  }
}

export const slowDown = (retryAfterSec: number) => `Slow down: too many chat messages. Try again in ${retryAfterSec} s.`;
