/**
 * ChatOps wire shapes (docs/chatops.md): one command language served by several doors. Replies are
 * transport-neutral cards: the dashboard draws them, a Slack or Mattermost door maps them to
 * Block Kit or message attachments. Nothing here is specific to one transport.
 */

import type { Capability } from './access';

/** Where a chat message came from; kept on every conversation entry and on the audit entries it caused. */
export const CHAT_CHANNELS = ['dashboard', 'slack', 'mattermost'] as const;
export type ChatChannel = (typeof CHAT_CHANNELS)[number];

/** What a command may do: `destructive` ones ask for a confirmation first (unless the user turned that off). */
export const CHAT_COMMAND_KINDS = ['read', 'mutating', 'destructive'] as const;
export type ChatCommandKind = (typeof CHAT_COMMAND_KINDS)[number];

/** Longest message text accepted (characters). */
export const CHAT_TEXT_MAX_LENGTH = 4000;
/** A confirmation token is valid this long after the reply that carried it. */
export const CHAT_CONFIRM_TTL_SEC = 60;
/** A log followed from chat stops by itself after this long (nobody has to be watching it). */
export const CHAT_FOLLOW_MAX_SEC = 600;
/** Streamed output a dashboard card keeps (characters; older output is dropped from the view). */
export const CHAT_STREAM_VIEW_MAX_CHARS = 64_000;

/** `metrics <server> [range]`. */
export const CHAT_METRIC_RANGES = ['15m', '1h', '6h', '24h', '7d'] as const;
export type ChatMetricRange = (typeof CHAT_METRIC_RANGES)[number];

export interface ChatField {
  label: string;
  value: string;
  /** May sit beside another short field (two columns in Block Kit). */
  short?: boolean;
}

export interface ChatTable {
  columns: string[];
  rows: string[][];
  /** Rows left out to keep the reply small (the text says how to narrow it). */
  omitted?: number;
}

/** A chart the client draws from `GET /metrics/{serverId}/history` for the range. */
export interface ChatChartRef {
  serverId: string;
  range: ChatMetricRange;
}

export const CHAT_ACTION_STYLES = ['default', 'primary', 'danger'] as const;
export type ChatActionStyle = (typeof CHAT_ACTION_STYLES)[number];

/** A button: pressing it sends `command` as the user's next message. */
export interface ChatAction {
  label: string;
  command: string;
  style: ChatActionStyle;
  /**
   * When the command acts on one server: that server and the capability pressing the button needs
   * there (docs/access.md). The dashboard disables the button, saying why, when it knows the
   * caller's role on the server lacks it; the command is checked as typed either way.
   */
  serverId?: string;
  capability?: Capability;
}

/**
 * Where a confirmation stands: `pending` until confirmed, cancelled (`cancel <token>`) or expired.
 * History answers with the final state (an expired one reads `expired` once its time has passed).
 */
export const CHAT_CONFIRM_STATES = ['pending', 'confirmed', 'cancelled', 'expired'] as const;
export type ChatConfirmState = (typeof CHAT_CONFIRM_STATES)[number];

/** A destructive command waits for `confirm <token>` (the reply's `confirm` action sends it) or `cancel <token>`. */
export interface ChatConfirmation {
  token: string;
  /** The command that runs on confirmation, as it will be executed. */
  command: string;
  expiresAt: string;
  /** Absent on replies stored before states existed: read as `pending` (then `expired` after `expiresAt`). */
  state?: ChatConfirmState;
  /** Who confirmed or cancelled it (the account's username) and through which door. */
  decidedBy?: string;
  decidedVia?: ChatChannel;
  decidedAt?: string;
}

/** Long actions whose output streams to the dashboard over `/live` while they run. */
export const CHAT_STREAM_KINDS = ['run', 'logs'] as const;
export type ChatStreamKind = (typeof CHAT_STREAM_KINDS)[number];

/**
 * The reply of a streamed action (`run`, `logs … follow`, asked with `stream: true`): output comes
 * as `chat_stream` events for `id` to the user's `/live` sockets, then one `chat_stream_end` with the
 * final reply, which also replaces this one in the history (`state: 'ended'`).
 */
export interface ChatStreamRef {
  id: string;
  kind: ChatStreamKind;
  serverId: string;
  state: 'running' | 'ended';
  /** A followed log: `chat_stream_stop {streamId}` stops it on the agent. */
  stoppable: boolean;
  /** `logs`: the followed container and how many lines its final card shows. */
  container?: string;
  lines?: number;
}

/** `chat_stream`: a piece of a streamed action's output. */
export interface LiveChatStreamChunk {
  streamId: string;
  stream: 'stdout' | 'stderr';
  chunk: string;
}

/**
 * Why a stream ended: the command exited, the user stopped the log, the log or the agent went away,
 * it failed, the follow's time limit, the backend instance that started it stopped, or the user may
 * no longer read the server's containers (`access_revoked`: a team change or a server move).
 */
export const CHAT_STREAM_END_REASONS = ['exited', 'stopped', 'ended', 'agent_disconnected', 'failed', 'time_limit', 'instance_stopped', 'access_revoked'] as const;
export type ChatStreamEndReason = (typeof CHAT_STREAM_END_REASONS)[number];

/** `chat_stream_end`: no more chunks for `streamId`; `reply` is the final card (as stored in the history). */
export interface LiveChatStreamEnd {
  streamId: string;
  /** The conversation entry whose reply this is. */
  messageId: string;
  reason: ChatStreamEndReason;
  /** A command's exit code (null: it did not exit by itself, or a log). */
  exitCode: number | null;
  reply: ChatReply;
}

/** `chat_stream_stop` (browser → server): stops a followed log of yours. */
export interface LiveChatStreamStop { streamId: string }
export type LiveChatStreamStopAck = { ok: true } | { ok: false; error: 'invalid' | 'not_found' };

export interface ChatError {
  /** `chat.*` for language errors; otherwise the REST error code of the service that refused (e.g. `server.not_found`). */
  code: string;
  message: string;
  /** Closest names for an unknown command, server or container. */
  suggestions?: string[];
}

export interface ChatReply {
  title: string;
  /** Plain text; output (commands, logs) comes as it is, to be shown monospaced when `monospace`. */
  text?: string;
  monospace?: boolean;
  fields?: ChatField[];
  table?: ChatTable;
  chart?: ChatChartRef;
  actions?: ChatAction[];
  confirm?: ChatConfirmation;
  /** Output streams over `/live` (dashboard, `stream: true`); the final reply replaces this one. */
  stream?: ChatStreamRef;
  error?: ChatError;
}

/** `POST /chatops/messages`. */
export interface ChatMessageRequest {
  text: string;
  /** The server the conversation is about (a server page's panel): used when a command names no server. */
  serverId?: string;
  /**
   * Stream long actions (`run`, `logs … follow`) over `/live` instead of waiting for them: the reply
   * comes at once with `stream`. Default false (the reply waits, as before).
   */
  stream?: boolean;
}

export interface ChatMessageResponse {
  /** The conversation entry. */
  id: string;
  reply: ChatReply;
}

/** One message and its reply, as kept in the conversation history. */
export interface ChatHistoryEntry {
  id: string;
  channel: ChatChannel;
  text: string;
  /** The command the text parsed to (null: it did not parse). */
  command: string | null;
  /** The server the entry is about (the one named, or the context), null when none or since deleted. */
  serverId: string | null;
  /** False when the reply carries an error. */
  ok: boolean;
  reply: ChatReply;
  createdAt: string;
}

export interface ChatHistoryPage {
  /** Newest first. */
  items: ChatHistoryEntry[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const CHAT_COMPLETION_KINDS = ['command', 'server', 'container', 'keyword'] as const;
export type ChatCompletionKind = (typeof CHAT_COMPLETION_KINDS)[number];

export interface ChatCompletion {
  /** The whole input with the last word completed (what the input becomes when chosen). */
  text: string;
  /** The completed word. */
  label: string;
  kind: ChatCompletionKind;
  description?: string;
}

/** `GET /chatops/complete`. */
export interface ChatCompletions { items: ChatCompletion[] }

/** `GET`/`PUT /chatops/settings`. */
export interface ChatSettings {
  /** Destructive commands (`run`, docker stop/restart/kill) wait for `confirm <token>`; default true. */
  confirmDestructive: boolean;
}

/**
 * Slack buttons whose `action_id` starts with this are ChatOps actions: the interactivity endpoint
 * sends the button's `value` (a command) as the presser's message. Used by reply cards and by the
 * alert notifications sent to Slack (Ack/Resolve).
 */
export const SLACK_ACTION_PREFIX = 'chatops.';

/** Chat platforms whose users can be linked to a ChatOps account (the doors other than the dashboard). */
export const CHAT_PROVIDERS = ['slack', 'mattermost'] as const;
export type ChatProvider = (typeof CHAT_PROVIDERS)[number];

/** A chat identity (workspace/team + user) linked to your account: `GET /chatops/links`. */
export interface ChatLink {
  id: string;
  provider: ChatProvider;
  /** Slack team id / Mattermost team id. */
  teamId: string;
  /** The platform's user id. */
  chatUserId: string;
  /** The platform's user name when linked (informative: it may change there). */
  chatUserName: string | null;
  createdAt: string;
}

/** `POST /chatops/links/confirm` and `/links/preview`: the token from the link URL the chat user was given. */
export interface ChatLinkConfirmRequest { token: string }

/** `POST /chatops/links/preview`: who a pending link request is for (shown before confirming; the token stays unused). */
export interface ChatLinkPreview {
  provider: ChatProvider;
  teamId: string;
  chatUserId: string;
  chatUserName: string | null;
  expiresAt: string;
}

/** `GET`/`PUT /chatops/integrations/{provider}`: secrets are never returned, only whether they are set. */
export interface ChatIntegrationStatus {
  provider: ChatProvider;
  configured: boolean;
  /** `stored`: set through this API (encrypted at rest); `env`: from SLACK_SIGNING_SECRET / MATTERMOST_TOKEN; null: not configured. */
  source: 'stored' | 'env' | null;
  updatedAt: string | null;
}

/** `PUT /chatops/integrations/slack`. */
export interface SlackIntegrationUpdate {
  /** The Slack app's signing secret (Basic Information → App Credentials). */
  signingSecret: string;
}

/** `PUT /chatops/integrations/mattermost`. */
export interface MattermostIntegrationUpdate {
  /** The slash command's token (Integrations → Slash Commands). */
  token: string;
}
