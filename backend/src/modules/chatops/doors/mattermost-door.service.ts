import { Injectable } from '@nestjs/common';
import { RequestMeta } from '../../../common/decorators';
import { ChatErrorCode, ChatException } from '../chatops.errors';
import { ChatDoor } from './chat-door.service';
import type { ChatIdentity } from './chat-links.service';
import { toMattermostResponse, type MattermostResponse } from './mattermost-attachments';

const str = (form: Record<string, unknown>, name: string, max: number): string => {
  const v = form[name];
  if (typeof v === 'string' && v.length > 0 && v.length <= max) return v;
  throw new ChatException(ChatErrorCode.BadPayload, `${name} is missing or invalid`);
};

/**
 * The Mattermost door (token already verified): an outgoing slash command is a message of the
 * linked user, answered with message attachments. Answered inline: Mattermost waits longer than
 * Slack for a slash command's answer.
 */
@Injectable()
export class MattermostDoor {
  constructor(private readonly door: ChatDoor) {}

  async command(form: Record<string, unknown>, meta: RequestMeta): Promise<MattermostResponse> {
    const who: ChatIdentity = {
      provider: 'mattermost', teamId: str(form, 'team_id', 64), userId: str(form, 'user_id', 64),
      userName: typeof form.user_name === 'string' ? form.user_name.slice(0, 128) : null,
    };
    const text = typeof form.text === 'string' ? form.text : '';
    const prepared = await this.door.prepare(who, text);
    const reply = 'reply' in prepared ? prepared.reply : await this.door.run(prepared.user, prepared.text, who, meta);
    return toMattermostResponse(reply);
  }
}
