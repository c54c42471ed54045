import { SLACK_ACTION_PREFIX, type ChatActionStyle, type ChatReply, type ChatTable } from '@chatops/protocol';
import { splitOutput } from '../chat-format';

/** The Block Kit subset the door sends. */
export type SlackText = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: SlackButton[] };
export interface SlackButton { type: 'button'; action_id: string; text: SlackText; value: string; style?: 'primary' | 'danger' }
export interface SlackMessage { response_type: 'ephemeral' | 'in_channel'; replace_original?: boolean; text: string; blocks: SlackBlock[] }

/** Block Kit limits (api.slack.com/reference/block-kit). */
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_LABEL_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const BUTTONS_PER_BLOCK = 25;
const BLOCKS_MAX = 50;

/** `&`, `<` and `>` are control characters in Slack text (links, mentions). */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Slack escapes them in what users type; the language wants the characters back. */
export const unescapeSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const escapeCode = (s: string) => escapeMrkdwn(s).replace(/```/g, '`\u200b``');
/**
 * Code blocks keep their fences inside the limit, measured after escaping (`<` is 4 characters in
 * mrkdwn); the tail of output matters most, so the head is cut.
 */
const code = (s: string, max = SECTION_TEXT_MAX) => {
  const room = max - 6;
  const whole = escapeCode(s);
  if (whole.length <= room) return '```' + whole + '```';
  // The smallest cut whose escaped rest fits beside the `…` (binary search: escaping only grows text).
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (escapeCode(s.slice(mid)).length <= room - 1) hi = mid;
    else lo = mid + 1;
  }
  return '```…' + escapeCode(s.slice(lo)) + '```';
};
const STYLE: Record<ChatActionStyle, 'primary' | 'danger' | undefined> = { default: undefined, primary: 'primary', danger: 'danger' };

/** A table as aligned monospaced text (Block Kit has no table block that every client draws). */
export function tableText(t: ChatTable): string {
  const widths = t.columns.map((c, i) => Math.min(40, Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => cut(c ?? '', widths[i]).padEnd(widths[i])).join('  ').trimEnd();
  return [line(t.columns), ...t.rows.map(line)].join('\n');
}

/**
 * A reply card as a Slack message: header (title), the error, text (monospaced output in a code
 * block), short fields two by two, long fields, the table as aligned text, the chart as a pointer
 * to the dashboard, and the actions as buttons whose value is the command they send. Everything is
 * cut to Block Kit's limits; `text` is the notification fallback.
 */
export function toSlackMessage(reply: ChatReply, opts: { publicUrl?: string; inChannel?: boolean } = {}): SlackMessage {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: cut(reply.title, HEADER_MAX) } }];
  if (reply.error) {
    const hint = reply.error.suggestions?.length ? `\nDid you mean: ${reply.error.suggestions.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ')}?` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`:warning: ${escapeMrkdwn(reply.error.message)}${hint}`, SECTION_TEXT_MAX) } });
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `\`${escapeMrkdwn(reply.error.code)}\`` }] });
  }
  if (reply.text) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: reply.monospace ? code(reply.text) : cut(escapeMrkdwn(reply.text), SECTION_TEXT_MAX) } });
  }
  const fields = reply.fields ?? [];
  const short = fields.filter((f) => f.short);
  for (let i = 0; i < short.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: short.slice(i, i + FIELDS_PER_SECTION).map((f) => ({ type: 'mrkdwn' as const, text: cut(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, FIELD_MAX) })),
    });
  }
  for (const f of fields.filter((x) => !x.short)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SECTION_TEXT_MAX) } });
  }
  if (reply.table) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: code(tableText(reply.table)) } });
    if (reply.table.omitted) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${reply.table.omitted} more rows not shown` }] });
  }
  if (reply.chart) {
    const where = opts.publicUrl ? `<${opts.publicUrl}/servers/${reply.chart.serverId}|open the chart in the dashboard>` : 'open the chart in the dashboard';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:chart_with_upwards_trend: ${reply.chart.range}: ${where}` }] });
  }
  const buttons: SlackButton[] = (reply.actions ?? [])
    .filter((a) => a.command.length <= BUTTON_VALUE_MAX)
    .slice(0, BUTTONS_PER_BLOCK)
    .map((a, i) => {
      const style = STYLE[a.style];
      return { type: 'button', action_id: `${SLACK_ACTION_PREFIX}${i}`, text: { type: 'plain_text', text: cut(a.label, BUTTON_LABEL_MAX) }, value: a.command, ...(style ? { style } : {}) };
    });
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  if (reply.confirm) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Or send the command \`confirm ${reply.confirm.token}\` before ${reply.confirm.expiresAt}` }] });
  }
  const fallback = reply.error ? `${reply.title}: ${reply.error.message}` : reply.title;
  return { response_type: opts.inChannel ? 'in_channel' : 'ephemeral', text: cut(fallback, SECTION_TEXT_MAX), blocks: blocks.slice(0, BLOCKS_MAX) };
}

/** A piece of output per message, leaving room in the section for mrkdwn escaping. */
const PIECE = 2600;

/** Output pieces whose escaped form fits one section (a piece full of `<&>` is split further). */
function slackPieces(text: string, size = PIECE): string[] {
  return splitOutput(text, size).flatMap((p) => (escapeCode(p).length <= SECTION_TEXT_MAX - 6 ? [p] : slackPieces(p, Math.max(1, Math.floor(size / 2)))));
}
/** Slack accepts five posts to one `response_url`. */
const RESPONSE_URL_POSTS = 5;

/**
 * A reply as the messages posted to `response_url`: one card as `toSlackMessage` draws it, and when
 * its output is longer than one section, the rest of the output in follow-up messages (in order,
 * "output 2/3"), within Slack's five posts per `response_url`.
 */
export function toSlackMessages(reply: ChatReply, opts: { publicUrl?: string; inChannel?: boolean } = {}): SlackMessage[] {
  if (!reply.monospace || !reply.text || reply.text.length <= PIECE) return [toSlackMessage(reply, opts)];
  const pieces = slackPieces(reply.text);
  if (pieces.length > RESPONSE_URL_POSTS) pieces.splice(0, pieces.length - RESPONSE_URL_POSTS); // the end matters most
  const n = pieces.length;
  const first = toSlackMessage({ ...reply, text: pieces[0] }, opts);
  first.blocks.splice(2 + (reply.error ? 2 : 0), 0, { type: 'context', elements: [{ type: 'mrkdwn', text: `Output 1/${n}: continued in the next messages` }] });
  const rest = pieces.slice(1).map((piece, i): SlackMessage => ({
    response_type: first.response_type,
    // The counter first: a title can be long (a `run` title is the command).
    text: `Output ${i + 2}/${n}: ${cut(reply.title, HEADER_MAX)}`,
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Output ${i + 2}/${n}: ${escapeMrkdwn(cut(reply.title, HEADER_MAX))}` }] },
      { type: 'section', text: { type: 'mrkdwn', text: code(piece) } },
    ],
  }));
  return [first, ...rest];
}
