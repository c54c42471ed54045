import { Inject, Injectable } from '@nestjs/common';
import type { ChatReply } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../../common/decorators';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { ChatErrorCode, ChatException } from '../chatops.errors';
import { ChatDoor } from './chat-door.service';
import type { ChatIdentity } from './chat-links.service';
import { ChatLinks } from './chat-links.service';
import { mattermostActionKey, signMattermostAction, verifyMattermostAction } from './mattermost-actions';
import { toMattermostResponse, toMattermostResponses, type MattermostButtonTarget, type MattermostResponse } from './mattermost-attachments';
import { ReplayGuard } from './replay-guard.service';
import { ResponseUrlPoster } from './response-url-poster.service';

/** Where Mattermost posts button presses (JSON, outside the form-only door routes). */
export const MATTERMOST_ACTIONS_PATH = '/api/v1/chatops/mattermost-actions';

/** What Mattermost posts when a button is pressed (the fields used here). */
export interface MattermostActionRequest { user_id?: unknown; team_id?: unknown; user_name?: unknown; context?: unknown }
/** The integration's answer: an ephemeral message to the presser. */
export interface MattermostActionResponse { ephemeral_text: string }

const str = (form: Record<string, unknown>, name: string, max: number): string => {
  const v = form[name];
  if (typeof v === 'string' && v.length > 0 && v.length <= max) return v;
  throw new ChatException(ChatErrorCode.BadPayload, `${name} is missing or invalid`);
};

/**
 * The Mattermost door (token already verified): an outgoing slash command is a message of the
 * linked user, answered with message attachments. Answered inline (Mattermost waits 30 s by
 * default), except slow commands (run, logs, confirm) when MATTERMOST_RESPONSE_URL_PREFIX admits the
 * command's `response_url`: those are acknowledged at once and answered there.
 */
@Injectable()
export class MattermostDoor {
  private readonly key: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly door: ChatDoor,
    private readonly responder: ResponseUrlPoster,
    private readonly links: ChatLinks,
    private readonly replay: ReplayGuard,
  ) {
    this.key = mattermostActionKey(config.jwtSecret);
  }

  async command(form: Record<string, unknown>, meta: RequestMeta): Promise<MattermostResponse> {
    const who: ChatIdentity = {
      provider: 'mattermost', teamId: str(form, 'team_id', 64), userId: str(form, 'user_id', 64),
      userName: typeof form.user_name === 'string' ? form.user_name.slice(0, 128) : null,
    };
    const text = typeof form.text === 'string' ? form.text : '';
    const prepared = await this.door.prepare(who, text);
    if ('reply' in prepared) return toMattermostResponse(prepared.reply);
    const buttons = this.buttons(who, prepared.user);
    const replied = this.door.run(prepared.user, prepared.text, who, meta);
    if (!prepared.slow || !this.responder.allowed('mattermost', form.response_url)) return replied.then((r) => toMattermostResponse(r, buttons));
    // Late answers may take several messages (long output).
    this.responder.later(form.response_url, replied.then((r) => toMattermostResponses(r, buttons)), toMattermostResponse({ title: `${prepared.text.slice(0, 200)}: failed` }));
    return toMattermostResponse({ title: 'Working…', text: `\`${prepared.text.slice(0, 200)}\`: the answer follows here.` });
  }

  /**
   * A button press (docs/chatops.md, "Mattermost buttons"). Mattermost signs nothing here, so the
   * button's token is the proof: made and MAC'd by this backend for one chat user, the account it
   * was linked to, one command and five minutes, and taken once. The presser must be that chat
   * user and still linked to that account; the command then runs as the account, like typing it.
   */
  async action(input: MattermostActionRequest | undefined, meta: RequestMeta): Promise<MattermostActionResponse> {
    // Whatever was posted (nothing, an array, a string): only a JSON object can carry a button.
    const body: MattermostActionRequest = input && typeof input === 'object' && !Array.isArray(input) ? input : {};
    const context = body.context && typeof body.context === 'object' ? (body.context as Record<string, unknown>) : null;
    const verdict = verifyMattermostAction(this.key, context?.token);
    if (!verdict.ok) {
      if (verdict.why === 'expired') return { ephemeral_text: 'This button has expired: send the command again.' };
      throw new ChatException(ChatErrorCode.ActionInvalid, 'Not a button of this ChatOps server');
    }
    const { claims } = verdict;
    if (body.user_id !== claims.chatUserId || (body.team_id !== undefined && body.team_id !== '' && body.team_id !== claims.teamId)) {
      throw new ChatException(ChatErrorCode.ActionInvalid, 'This button was shown to another user');
    }
    if (!(await this.replay.firstSeen('mattermost-button', claims.nonce))) return { ephemeral_text: 'This button was already used.' };
    const who: ChatIdentity = { provider: 'mattermost', teamId: claims.teamId, userId: claims.chatUserId, userName: typeof body.user_name === 'string' ? body.user_name.slice(0, 128) : null };
    const prepared = await this.door.prepare(who, claims.command);
    if ('reply' in prepared) return { ephemeral_text: plain(await this.door.answered(who, claims.command, prepared, meta)) };
    // Linked to another account since the card was made: the button does not carry over.
    if (prepared.user.id !== claims.accountId) return { ephemeral_text: 'This chat account is linked to another ChatOps account now: send the command again.' };
    return { ephemeral_text: plain(await this.door.press(prepared.user, prepared.text, who, meta)) };
  }

  /** Signed buttons for the cards of a linked user, when the backend knows its public address. */
  private buttons(who: ChatIdentity, user: AuthUser): MattermostButtonTarget | undefined {
    if (!this.config.publicUrl) return undefined;
    const url = `${this.config.publicUrl}${MATTERMOST_ACTIONS_PATH}`;
    return (command) => ({ url, token: signMattermostAction(this.key, { teamId: who.teamId, chatUserId: who.userId, accountId: user.id, command }) });
  }
}

/** A reply as one markdown message (an integration action's answer is text, not attachments). */
function plain(reply: ChatReply): string {
  const m = toMattermostResponse(reply).attachments[0];
  const fields = (m.fields ?? []).map((f) => `**${f.title}:** ${f.value}`).join('\n');
  return [`**${m.title}**`, m.text, fields, m.footer ? `\`${m.footer}\`` : ''].filter(Boolean).join('\n\n').slice(0, 16_000);
}
