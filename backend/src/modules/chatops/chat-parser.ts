import { CHAT_METRIC_RANGES, CHAT_TEXT_MAX_LENGTH, isContainerRef } from '@chatops/protocol';
import {
  ArgSpec, ArgValues, CHAT_LOG_LINES_MAX, COMMAND_NAMES, COMMANDS, CommandName, CommandSpec, findCommand, ParsedCommand,
  SILENCE_MAX_MS, SILENCE_MIN_MS, usage,
} from './chat-commands';
import { closest } from './edit-distance';

export enum ChatParseErrorCode {
  Empty = 'chat.empty',
  UnknownCommand = 'chat.unknown_command',
  MissingArgument = 'chat.missing_argument',
  BadArgument = 'chat.bad_argument',
  ExtraArgument = 'chat.extra_argument',
  TooLong = 'chat.too_long',
}

export interface ChatParseError {
  code: ChatParseErrorCode;
  message: string;
  suggestions?: string[];
  /** The command's usage line, when the command was recognised. */
  usage?: string;
  command?: CommandName;
}

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: ChatParseError };

export interface Token { value: string; start: number; end: number }

/** Whitespace-separated words with their offsets (quotes are not special: a rest argument keeps the text as typed). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) tokens.push({ value: m[0], start: m.index, end: m.index + m[0].length });
  return tokens;
}

const DURATION = /^(\d{1,6})(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ALERT_REF = /^[0-9a-f]{8}(?:[0-9a-f-]{0,28})$/i;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_NAME = 255;

export function parseDuration(s: string): number | null {
  const m = DURATION.exec(s);
  return m ? Number(m[1]) * UNIT_MS[m[2].toLowerCase()] : null;
}

/**
 * Reads a message. Never throws: anything it cannot read is a typed error with a message a person
 * can act on (the usage line, the closest command names).
 */
export function parse(text: string): ParseResult {
  try {
    return parseUnsafe(text);
  } catch {
    // A bug here must not turn a chat message into a 500: the message is refused, plainly.
    return fail(ChatParseErrorCode.BadArgument, 'That message could not be read; try `help`');
  }
}

function parseUnsafe(text: string): ParseResult {
  if (typeof text !== 'string') return fail(ChatParseErrorCode.Empty, 'Type a command; `help` lists them');
  if (text.length > CHAT_TEXT_MAX_LENGTH) return fail(ChatParseErrorCode.TooLong, `A message is at most ${CHAT_TEXT_MAX_LENGTH} characters`);
  const tokens = tokenize(text);
  if (!tokens.length) return fail(ChatParseErrorCode.Empty, 'Type a command; `help` lists them');
  const word = tokens[0].value.replace(/^\//, '');
  const spec = findCommand(word);
  if (!spec) {
    const suggestions = closest(word, visibleNames());
    return fail(ChatParseErrorCode.UnknownCommand,
      `Unknown command '${clip(word)}'${suggestions.length ? ` — did you mean ${suggestions.join(', ')}?` : ''} (\`help\` lists them)`, { suggestions });
  }
  const read = readArgs(spec, tokens.slice(1), text);
  if (!read.ok) return read;
  return { ok: true, command: spec.build(read.values) };
}

function readArgs(spec: CommandSpec<CommandName>, tokens: Token[], text: string): { ok: true; values: ArgValues } | { ok: false; error: ChatParseError } {
  const values: ArgValues = {};
  const use = usage(spec);
  const err = (code: ChatParseErrorCode, message: string, suggestions?: string[]) =>
    fail(code, `${message}. Usage: ${use}`, { usage: use, command: spec.name, ...(suggestions?.length ? { suggestions } : {}) });
  let i = 0;
  for (let k = 0; k < spec.args.length; k++) {
    const a = spec.args[k];
    const tok = tokens[i];
    if (a.kind === 'literal') {
      if (tok?.value === a.literal) { i++; continue; }
      return err(ChatParseErrorCode.MissingArgument, tok ? `Expected '${a.literal}' before '${clip(tok.value)}'` : `Expected '${a.literal}'`);
    }
    if (a.kind === 'on') {
      if (tok?.value.toLowerCase() !== 'on') continue; // left out: the conversation's server
      const server = tokens[i + 1];
      if (!server) return err(ChatParseErrorCode.MissingArgument, `Name a server after 'on'`);
      if (server.value.length > MAX_NAME) return err(ChatParseErrorCode.BadArgument, 'A server name is at most 255 characters');
      values[a.name] = server.value;
      i += 2;
      continue;
    }
    if (a.kind === 'rest') {
      const rest = tok ? text.slice(tok.start).trim() : '';
      if (!rest) {
        if (a.optional) continue;
        return err(ChatParseErrorCode.MissingArgument, `Missing ${a.name}`);
      }
      values[a.name] = rest;
      i = tokens.length;
      continue;
    }
    if (!tok) {
      if (isOptional(a)) continue;
      return err(ChatParseErrorCode.MissingArgument, `Missing ${argLabel(a)}`);
    }
    // An optional argument left out before a flag that is there (`logs api on web-1 follow`).
    if (isOptional(a) && a.kind !== 'flag' && spec.args.slice(k + 1).some((b) => isFlag(b, tok.value))) continue;
    // A contextual server left out: the word is what the next argument expects.
    if (a.kind === 'server' && a.contextual && fitsStrictly(spec.args[k + 1], tok, tokens.length - i)) continue;
    const v = value(a, tok.value);
    if (!v.ok) return err(ChatParseErrorCode.BadArgument, v.message, v.suggestions);
    Object.assign(values, v.values);
    i++;
  }
  if (i < tokens.length) return err(ChatParseErrorCode.ExtraArgument, `Unexpected '${clip(tokens[i].value)}'`);
  return { ok: true, values };
}

type ValueResult = { ok: true; values: ArgValues } | { ok: false; message: string; suggestions?: string[] };

function value(a: ArgSpec, raw: string): ValueResult {
  const ok = (v: string | number): ValueResult => ({ ok: true, values: { [(a as { name: string }).name]: v } });
  switch (a.kind) {
    case 'server':
    case 'target':
      return raw.length > MAX_NAME ? { ok: false, message: 'A server name is at most 255 characters' } : ok(raw);
    case 'container':
      return isContainerRef(raw) ? ok(raw) : { ok: false, message: `'${clip(raw)}' is not a container name or id` };
    case 'alert':
      return ALERT_REF.test(raw) ? ok(raw.toLowerCase()) : { ok: false, message: `'${clip(raw)}' is not an alert id (its first 8 characters at least)` };
    case 'choice': {
      const c = raw.toLowerCase();
      if (a.choices.includes(c)) return ok(c);
      const s = closest(c, a.choices);
      return { ok: false, message: `'${clip(raw)}' is not one of ${a.choices.join(', ')}${s.length ? ` — did you mean ${s.join(', ')}?` : ''}`, suggestions: s };
    }
    case 'range': {
      const r = raw.toLowerCase();
      return (CHAT_METRIC_RANGES as readonly string[]).includes(r) ? ok(r) : { ok: false, message: `'${clip(raw)}' is not a range: ${CHAT_METRIC_RANGES.join(', ')}` };
    }
    case 'lines': {
      const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
      return n >= 1 && n <= CHAT_LOG_LINES_MAX ? ok(n) : { ok: false, message: `Lines must be a number from 1 to ${CHAT_LOG_LINES_MAX}` };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === null) return { ok: false, message: `'${clip(raw)}' is not a duration such as 30m, 2h, 1d or 1w` };
      if (ms < SILENCE_MIN_MS || ms > SILENCE_MAX_MS) return { ok: false, message: 'A duration is from 1m to 366d' };
      return { ok: true, values: { [a.name]: ms, [`${a.name}Text`]: raw.toLowerCase() } };
    }
    case 'topic': {
      const spec = findCommand(raw.replace(/^\//, ''));
      if (spec && !spec.hidden) return ok(spec.name);
      const s = closest(raw, visibleNames());
      return { ok: false, message: `No command '${clip(raw)}'${s.length ? ` — did you mean ${s.join(', ')}?` : ''}`, suggestions: s };
    }
    case 'flag':
      return isFlag(a, raw) ? ok(1) : { ok: false, message: `Unexpected '${clip(raw)}' (only '${a.flag}' may come here)` };
    case 'token':
      return TOKEN.test(raw) ? ok(raw) : { ok: false, message: 'That is not a confirmation token' };
    default:
      return { ok: false, message: 'Unexpected argument' };
  }
}

/** Would `tok` be read as `next` (a keyword, a range, a number), so that a contextual server before it was left out? */
function fitsStrictly(next: ArgSpec | undefined, tok: Token, left: number): boolean {
  if (!next) return false;
  switch (next.kind) {
    case 'literal': return tok.value === next.literal;
    case 'range': return left === 1 && (CHAT_METRIC_RANGES as readonly string[]).includes(tok.value.toLowerCase());
    default: return false;
  }
}

const isOptional = (a: ArgSpec) => ('optional' in a && a.optional === true) || (a.kind === 'server' && a.contextual === true) || a.kind === 'flag';
const isFlag = (a: ArgSpec, raw: string) => a.kind === 'flag' && (raw.toLowerCase() === a.flag || a.aliases.includes(raw.toLowerCase()));
const argLabel = (a: ArgSpec) => (a.kind === 'choice' ? `${a.name} (${a.choices.join(', ')})` : a.kind === 'literal' ? a.literal : a.name);
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

export function visibleNames(): string[] {
  return COMMAND_NAMES.filter((n) => !COMMANDS[n].hidden);
}

function fail(code: ChatParseErrorCode, message: string, extra: Partial<ChatParseError> = {}): { ok: false; error: ChatParseError } {
  return { ok: false, error: { code, message, ...extra } };
}
