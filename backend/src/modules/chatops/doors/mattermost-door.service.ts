import { Injectable } from '@nestjs/common';
import { RequestMeta } from '../../../common/decorators';
import { ChatErrorCode, ChatException } from '../chatops.errors';
import { ChatDoor } from './chat-door.service';
import type { ChatIdentity } from './chat-links.service';
import { toMattermostResponse, type MattermostResponse } from './mattermost-attachments';
import { ResponseUrlPoster } from './response-url-poster.service';

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
  constructor(
    private readonly door: ChatDoor,
    private readonly responder: ResponseUrlPoster,
  ) {}

  async command(form: Record<string, unknown>, meta: RequestMeta): Promise<MattermostResponse> {
    const who: ChatIdentity = {
      provider: 'mattermost', teamId: str(form, 'team_id', 64), userId: str(form, 'user_id', 64),
      userName: typeof form.user_name === 'string' ? form.user_name.slice(0, 128) : null,
    };
    const text = typeof form.text === 'string' ? form.text : '';
    const prepared = await this.door.prepare(who, text);
    if ('reply' in prepared) return toMattermostResponse(prepared.reply);
    const work = this.door.run(prepared.user, prepared.text, who, meta).then(toMattermostResponse);
    if (!prepared.slow || !this.responder.allowed('mattermost', form.response_url)) return work;
    this.responder.later(form.response_url, work, toMattermostResponse({ title: `${prepared.text.slice(0, 200)}: failed` }));
    return toMattermostResponse({ title: 'Working…', text: `\`${prepared.text.slice(0, 200)}\`: the answer follows here.` });
  }
}
