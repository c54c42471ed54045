import { Inject, Injectable } from '@nestjs/common';
import { SLACK_ACTION_PREFIX, type ChatReply } from '@chatops/protocol';
import { RequestMeta } from '../../../common/decorators';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { ChatErrorCode, ChatException } from '../chatops.errors';
import { ChatDoor } from './chat-door.service';
import type { ChatIdentity } from './chat-links.service';
import { toSlackMessage, toSlackMessages, unescapeSlack, type SlackMessage } from './slack-blocks';
import { ResponseUrlPoster } from './response-url-poster.service';

/** A slash command answers inline when it is done within this; otherwise "working…" and the answer later. */
const INLINE_BUDGET_MS = 2000;

type Form = Record<string, unknown>;

function field(form: Form, name: string, max: number, required = true): string | null {
  const v = form[name];
  if (typeof v === 'string' && v.length <= max && (v.length > 0 || !required)) return v;
  if (v === undefined && !required) return null;
  throw new ChatException(ChatErrorCode.BadPayload, `${name} is missing or invalid`);
}

/**
 * The Slack door (the request already verified by SlackSignatureGuard): slash commands and button
 * presses become messages of the linked user, answered as Block Kit. Slack waits 3 s: slow
 * commands (run, logs, confirm) and anything slower than 2 s are acknowledged with an ephemeral
 * "working…" and answered through `response_url`.
 */
@Injectable()
export class SlackDoor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly door: ChatDoor,
    private readonly responder: ResponseUrlPoster,
  ) {}

  async command(form: Form, meta: RequestMeta): Promise<SlackMessage> {
    // Slack checks the certificate of the command URL now and then with a form carrying ssl_check=1.
    if (form.ssl_check === '1') return { response_type: 'ephemeral', text: '', blocks: [] };
    const who: ChatIdentity = { provider: 'slack', teamId: field(form, 'team_id', 64)!, userId: field(form, 'user_id', 64)!, userName: field(form, 'user_name', 128, false) };
    const text = unescapeSlack(field(form, 'text', 20_000, false) ?? '');
    const prepared = await this.door.prepare(who, text);
    if ('reply' in prepared) return this.render(prepared.reply);
    const replied = this.door.run(prepared.user, prepared.text, who, meta);
    const work = replied.then((r) => this.render(r));
    const url = form.response_url;
    if (!this.responder.allowed('slack', url)) return work;
    if (!prepared.slow) {
      const inline = await Promise.race([work, new Promise<null>((r) => setTimeout(r, INLINE_BUDGET_MS, null).unref())]);
      if (inline) return inline;
    }
    // Late answers may take several messages (long output).
    this.responder.later(url, replied.then((r) => toSlackMessages(r, { publicUrl: this.config.publicUrl })), failed(prepared.text));
    return this.render({ title: 'Working…', text: `\`${prepared.text.slice(0, 200)}\`: the answer follows here.` });
  }

  /**
   * A button press (`block_actions`): its value is the command the button sends. Slack ignores the
   * HTTP answer's body here, so every answer goes through `response_url`.
   */
  async interaction(form: Form, meta: RequestMeta): Promise<void> {
    const payload = parsePayload(field(form, 'payload', 100_000)!);
    if (payload.type !== 'block_actions') return;
    const action = payload.actions?.find((a) => typeof a.action_id === 'string' && a.action_id.startsWith(SLACK_ACTION_PREFIX));
    if (!action || typeof action.value !== 'string') return;
    const teamId = payload.team?.id ?? payload.user?.team_id;
    if (typeof teamId !== 'string' || typeof payload.user?.id !== 'string') throw new ChatException(ChatErrorCode.BadPayload, 'payload names no team or user');
    if (!this.responder.allowed('slack', payload.response_url)) throw new ChatException(ChatErrorCode.BadPayload, 'payload has no usable response_url');
    const who: ChatIdentity = { provider: 'slack', teamId: teamId.slice(0, 64), userId: payload.user.id.slice(0, 64), userName: payload.user.username ?? payload.user.name ?? null };
    const prepared = await this.door.prepare(who, action.value);
    const replied = 'reply' in prepared ? this.door.answered(who, action.value, prepared, meta) : this.door.press(prepared.user, prepared.text, who, meta);
    const work = replied.then((r) => toSlackMessages(r, { publicUrl: this.config.publicUrl }).map((m) => ({ ...m, replace_original: false })));
    this.responder.later(payload.response_url, work, failed(action.value));
  }

  private render(reply: ChatReply): SlackMessage {
    return toSlackMessage(reply, { publicUrl: this.config.publicUrl });
  }
}

const failed = (text: string): SlackMessage => ({ response_type: 'ephemeral', text: `${text.slice(0, 200)}: failed`, blocks: [] });

interface BlockActionsPayload {
  type?: string;
  team?: { id?: string } | null;
  user?: { id?: string; team_id?: string; username?: string; name?: string };
  actions?: { action_id?: string; value?: string }[];
  response_url?: string;
}

function parsePayload(raw: string): BlockActionsPayload {
  try {
    const p = JSON.parse(raw) as unknown;
    if (p && typeof p === 'object' && !Array.isArray(p)) return p as BlockActionsPayload;
  } catch { /* answered below */ }
  throw new ChatException(ChatErrorCode.BadPayload, 'payload is not a JSON object');
}
