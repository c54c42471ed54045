import type { ChatReply } from '@chatops/protocol';
import { tableText } from './slack-blocks';

export interface MattermostField { title: string; value: string; short: boolean }
export interface MattermostAttachment { fallback: string; color: string; title: string; text?: string; fields?: MattermostField[]; footer?: string }
export interface MattermostResponse { response_type: 'ephemeral' | 'in_channel'; text: string; attachments: MattermostAttachment[] }

const TEXT_MAX = 7000;
const fence = (s: string) => '```\n' + (s.length <= TEXT_MAX ? s : `…${s.slice(s.length - TEXT_MAX)}`) + '\n```';

/**
 * A reply card as a Mattermost slash command answer: one message attachment (title, text, fields,
 * the table as a code block). Buttons need an interactive-message endpoint Mattermost would call
 * back; until then the actions are listed as the commands to send.
 */
export function toMattermostResponse(reply: ChatReply): MattermostResponse {
  const parts: string[] = [];
  if (reply.error) {
    parts.push(`:warning: ${reply.error.message}${reply.error.suggestions?.length ? `\nDid you mean: ${reply.error.suggestions.map((s) => `\`${s}\``).join(', ')}?` : ''}`);
  }
  if (reply.text) parts.push(reply.monospace ? fence(reply.text) : reply.text);
  if (reply.table) parts.push(fence(tableText(reply.table)) + (reply.table.omitted ? `\n${reply.table.omitted} more rows not shown` : ''));
  if (reply.actions?.length) parts.push(reply.actions.map((a) => `• ${a.label}: \`${a.command}\``).join('\n'));
  const attachment: MattermostAttachment = {
    fallback: reply.error ? `${reply.title}: ${reply.error.message}` : reply.title,
    color: reply.error ? '#d24b4e' : reply.confirm ? '#e0a030' : '#3a7bd5',
    title: reply.title,
    ...(parts.length ? { text: parts.join('\n\n') } : {}),
    ...(reply.fields?.length ? { fields: reply.fields.map((f) => ({ title: f.label, value: f.value, short: Boolean(f.short) })) } : {}),
    ...(reply.error ? { footer: reply.error.code } : {}),
  };
  return { response_type: 'ephemeral', text: '', attachments: [attachment] };
}
