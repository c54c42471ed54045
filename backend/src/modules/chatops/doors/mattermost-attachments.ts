import type { ChatReply } from '@chatops/protocol';
import { splitOutput } from '../chat-format';
import { tableText } from './slack-blocks';

export interface MattermostField { title: string; value: string; short: boolean }
/** An interactive button: Mattermost POSTs `{user_id, team_id, context, …}` to `integration.url` when pressed. */
export interface MattermostButton {
  id: string;
  name: string;
  type: 'button';
  style: 'default' | 'primary' | 'danger';
  integration: { url: string; context: { token: string } };
}
export interface MattermostAttachment {
  fallback: string; color: string; title: string; text?: string; fields?: MattermostField[]; footer?: string; actions?: MattermostButton[];
}
export interface MattermostResponse { response_type: 'ephemeral' | 'in_channel'; text: string; attachments: MattermostAttachment[] }

const TEXT_MAX = 7000;
const fence = (s: string) => '```\n' + (s.length <= TEXT_MAX ? s : `…${s.slice(s.length - TEXT_MAX)}`) + '\n```';

/** Makes a button's integration target for a command (a signed, single-use token), or null: no buttons. */
export type MattermostButtonTarget = (command: string) => { url: string; token: string } | null;

/**
 * A reply card as a Mattermost slash command answer: one message attachment (title, text, fields,
 * the table as a code block). Actions become interactive buttons when `button` can make their
 * signed targets (PUBLIC_URL set, a linked user); otherwise they are listed as the commands to send.
 */
export function toMattermostResponse(reply: ChatReply, button?: MattermostButtonTarget): MattermostResponse {
  const buttons: MattermostButton[] = [];
  for (const [i, a] of (reply.actions ?? []).entries()) {
    const target = button?.(a.command);
    if (!target) break;
    buttons.push({ id: `chatops${i}`, name: a.label, type: 'button', style: a.style, integration: { url: target.url, context: { token: target.token } } });
  }
  if (buttons.length !== (reply.actions?.length ?? 0)) buttons.length = 0; // all of them as buttons, or all as text
  const parts: string[] = [];
  if (reply.error) {
    parts.push(`:warning: ${reply.error.message}${reply.error.suggestions?.length ? `\nDid you mean: ${reply.error.suggestions.map((s) => `\`${s}\``).join(', ')}?` : ''}`);
  }
  if (reply.text) parts.push(reply.monospace ? fence(reply.text) : reply.text);
  if (reply.table) parts.push(fence(tableText(reply.table)) + (reply.table.omitted ? `\n${reply.table.omitted} more rows not shown` : ''));
  if (reply.actions?.length && !buttons.length) parts.push(reply.actions.map((a) => `• ${a.label}: \`${a.command}\``).join('\n'));
  const attachment: MattermostAttachment = {
    fallback: reply.error ? `${reply.title}: ${reply.error.message}` : reply.title,
    color: reply.error ? '#d24b4e' : reply.confirm ? '#e0a030' : '#3a7bd5',
    title: reply.title,
    ...(parts.length ? { text: parts.join('\n\n') } : {}),
    ...(reply.fields?.length ? { fields: reply.fields.map((f) => ({ title: f.label, value: f.value, short: Boolean(f.short) })) } : {}),
    ...(reply.error ? { footer: reply.error.code } : {}),
    ...(buttons.length ? { actions: buttons } : {}),
  };
  return { response_type: 'ephemeral', text: '', attachments: [attachment] };
}

/** Output per message posted to a Mattermost `response_url`. */
const PIECE = 6500;

/**
 * A reply as the messages posted to `response_url`: the card, and when its output is longer than
 * one attachment, the rest of it in follow-up messages, in order ("output 2/2").
 */
export function toMattermostResponses(reply: ChatReply, button?: MattermostButtonTarget): MattermostResponse[] {
  if (!reply.monospace || !reply.text || reply.text.length <= PIECE) return [toMattermostResponse(reply, button)];
  const pieces = splitOutput(reply.text, PIECE);
  const n = pieces.length;
  const first = toMattermostResponse({ ...reply, text: pieces[0] }, button);
  first.attachments[0].footer = [first.attachments[0].footer, `output 1/${n}: continued in the next messages`].filter(Boolean).join(' · ');
  return [first, ...pieces.slice(1).map((piece, i): MattermostResponse => ({
    response_type: first.response_type,
    text: '',
    attachments: [{
      fallback: `Output ${i + 2}/${n}: ${reply.title.slice(0, 150)}`, color: first.attachments[0].color, title: `Output ${i + 2}/${n}: ${reply.title.slice(0, 150)}`, text: fence(piece),
    }],
  }))];
}
