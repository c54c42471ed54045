import { Injectable } from '@nestjs/common';
import { CHAT_TEXT_MAX_LENGTH, type ChatReply } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../../common/decorators';
import { parse } from '../chat-parser';
import { type ChatBudget, ChatRateLimiter, slowDown } from '../chat-rate-limit.service';
import { ChatErrorCode } from '../chatops.errors';
import { ChatopsService } from '../chatops.service';
import { ChatIdentity, ChatLinks, LINK_TTL_SEC } from './chat-links.service';

/** Commands that may take longer than a chat platform waits for an answer (Slack: 3 s). */
const SLOW = new Set(['run', 'logs', 'confirm', 'cancel']);

export type Prepared = { reply: ChatReply } | { user: AuthUser; text: string; slow: boolean };

/**
 * What the chat doors share: who the chat user is (their linked account, or a link prompt and
 * nothing else), then the same ChatopsService.handle as the dashboard, with the door's channel.
 */
@Injectable()
export class ChatDoor {
  constructor(
    private readonly links: ChatLinks,
    private readonly chat: ChatopsService,
    private readonly limiter: ChatRateLimiter,
  ) {}

  /** `link`, an unlinked user and an oversized message are answered here; anything else is for `run`. */
  async prepare(who: ChatIdentity, raw: string): Promise<Prepared> {
    const text = raw.trim() || 'help';
    // Counted before anything is looked up or stored: per workspace/team, then per chat user until
    // linked (link prompts store a request) and per ChatOps account once linked. Slack shows a
    // non-200 as a failure, so a spent budget is a 200 with an ephemeral "slow down".
    const integration: ChatBudget = { kind: 'integration', provider: who.provider, teamId: who.teamId };
    const chatUser: ChatBudget = { kind: 'chat_user', provider: who.provider, teamId: who.teamId, chatUserId: who.userId };
    const user = /^link$/i.test(text) ? null : await this.links.userOf(who);
    const verdict = await this.limiter.take([integration, user ? { kind: 'account', userId: user.id } : chatUser]);
    if (!verdict.ok) return { reply: { title: 'Slow down', error: { code: ChatErrorCode.RateLimited, message: slowDown(verdict.retryAfterSec) } } };
    if (/^link$/i.test(text)) return { reply: await this.linkPrompt(who, false) };
    if (!user) return { reply: await this.linkPrompt(who, true) };
    if (text.length > CHAT_TEXT_MAX_LENGTH) {
      return { reply: { title: 'Not understood', error: { code: ChatErrorCode.TextTooLong, message: `A message has at most ${CHAT_TEXT_MAX_LENGTH} characters` } } };
    }
    const parsed = parse(text);
    return { user, text, slow: parsed.ok && SLOW.has(parsed.command.name) };
  }

  async run(user: AuthUser, text: string, who: ChatIdentity, meta: RequestMeta): Promise<ChatReply> {
    return (await this.chat.handle(user, { text, channel: who.provider }, { ...meta, channel: who.provider })).reply;
  }

  private async linkPrompt(who: ChatIdentity, unlinked: boolean): Promise<ChatReply> {
    const { url, absolute } = await this.links.request(who);
    return {
      title: unlinked ? 'Link your ChatOps account first' : 'Link your ChatOps account',
      text: `${unlinked ? 'This chat account is not linked to a ChatOps account yet, so nothing was run. ' : ''}`
        + `Open ${url} ${absolute ? '' : '(on your ChatOps address: PUBLIC_URL is not set) '}while signed in to ChatOps and confirm, `
        + `within ${LINK_TTL_SEC / 60} minutes. The link works once; do not share it.`,
    };
  }
}
