import { Injectable } from '@nestjs/common';
import { CHAT_TEXT_MAX_LENGTH, type ChatReply } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../../common/decorators';
import { parse } from '../chat-parser';
import { type ChatBudget, ChatRateLimiter, slowDown } from '../chat-rate-limit.service';
import { ChatErrorCode } from '../chatops.errors';
import { ChatopsService } from '../chatops.service';
import { ChatTargets } from '../chat-targets.service';
import { AuditService } from '../../audit/audit.service';
import { AccessErrorCode } from '../../access/access.errors';
import { PersonalTokenErrorCode } from '../../personal-tokens/personal-tokens.errors';
import { ChatIdentity, ChatLinks, LINK_TTL_SEC } from './chat-links.service';

/** Commands that may take longer than a chat platform waits for an answer (Slack: 3 s). */
const SLOW = new Set(['run', 'logs', 'confirm', 'cancel']);

/** Refusals of a button's action for want of a capability. */
const DENIED = new Set<string>([AccessErrorCode.Forbidden, PersonalTokenErrorCode.ScopeDenied]);

export type Prepared = { reply: ChatReply; unlinked?: true } | { user: AuthUser; text: string; slow: boolean };

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
    private readonly targets: ChatTargets,
    private readonly audit: AuditService,
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
    if (!user) return { reply: await this.linkPrompt(who, true), unlinked: true };
    if (text.length > CHAT_TEXT_MAX_LENGTH) {
      return { reply: { title: 'Not understood', error: { code: ChatErrorCode.TextTooLong, message: `A message has at most ${CHAT_TEXT_MAX_LENGTH} characters` } } };
    }
    const parsed = parse(text);
    return { user, text, slow: parsed.ok && SLOW.has(parsed.command.name) };
  }

  /** Runs a typed command as the linked account; the reply offers only buttons that account may use. */
  async run(user: AuthUser, text: string, who: ChatIdentity, meta: RequestMeta): Promise<ChatReply> {
    return (await this.converse(user, text, who, meta)).reply;
  }

  /**
   * A button press: the same as typing its command, so every service re-checks the presser's linked
   * account at this moment (a viewer pressing Resolve gets the REST 403 wording, `access.forbidden`
   * naming the capability, and nothing changes). A refused press is audited as
   * `chatops.button_denied` on the server it was about.
   */
  async press(user: AuthUser, text: string, who: ChatIdentity, meta: RequestMeta): Promise<ChatReply> {
    const { reply, serverId } = await this.converse(user, text, who, meta);
    if (reply.error && DENIED.has(reply.error.code)) {
      await this.audit.record({
        action: 'chatops.button_denied',
        description: `Refused ${who.provider} button "${text.slice(0, 200)}" of ${who.teamId}/${who.userId}: ${reply.error.message}`,
        userId: user.id, serverId, success: false, meta: { ...meta, channel: who.provider },
      });
    }
    return reply;
  }

  /**
   * A button press answered before anything ran (`prepare`'s reply): for a chat user linked to no
   * account, the link prompt, audited as a refused press.
   */
  async answered(who: ChatIdentity, text: string, prepared: { reply: ChatReply; unlinked?: true }, meta: RequestMeta): Promise<ChatReply> {
    if (!prepared.unlinked) return prepared.reply;
    await this.audit.record({
      action: 'chatops.button_denied',
      description: `Refused ${who.provider} button "${text.slice(0, 200)}" of ${who.teamId}/${who.userId}: the chat user is linked to no ChatOps account`,
      userId: null, serverId: null, success: false, meta: { ...meta, channel: who.provider },
    });
    return prepared.reply;
  }

  private async converse(user: AuthUser, text: string, who: ChatIdentity, meta: RequestMeta): Promise<{ reply: ChatReply; serverId: string | null }> {
    const { response, serverId } = await this.chat.converse(user, { text, channel: who.provider }, { ...meta, channel: who.provider });
    return { reply: await this.usable(user, response.reply), serverId };
  }

  /**
   * The reply without the buttons its recipient cannot use: an action that names a server and a
   * capability stays only if the account holds it there (or may use it as break-glass). The
   * dashboard shows such buttons disabled with the reason; a chat message cannot, so it drops them.
   */
  private async usable(user: AuthUser, reply: ChatReply): Promise<ChatReply> {
    if (!reply.actions?.some((a) => a.serverId && a.capability)) return reply;
    const verdicts = new Map<string, Promise<boolean>>();
    const keep = [];
    for (const a of reply.actions) {
      if (!a.serverId || !a.capability) {
        keep.push(a);
        continue;
      }
      const key = `${a.serverId} ${a.capability}`;
      if (!verdicts.has(key)) verdicts.set(key, this.targets.holds(user, a.serverId, a.capability));
      if (await verdicts.get(key)) keep.push(a);
    }
    return keep.length === reply.actions.length ? reply : { ...reply, actions: keep };
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
