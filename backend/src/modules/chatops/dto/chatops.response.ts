import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CAPABILITIES, CHAT_ACTION_STYLES, CHAT_CHANNELS, type Capability, CHAT_COMPLETION_KINDS, CHAT_CONFIRM_STATES, CHAT_METRIC_RANGES, CHAT_STREAM_KINDS,
  type ChatConfirmState, type ChatStreamKind, type ChatStreamRef,
  type ChatAction, type ChatActionStyle, type ChatChannel, type ChatChartRef, type ChatCompletion, type ChatCompletionKind,
  type ChatCompletions, type ChatConfirmation, type ChatError, type ChatField, type ChatHistoryEntry, type ChatHistoryPage,
  type ChatMessageResponse, type ChatMetricRange, type ChatReply, type ChatSettings, type ChatTable,
} from '@chatops/protocol';

export class ChatFieldDto implements ChatField {
  label: string;
  value: string;
  /** May sit beside another short field. */
  short?: boolean;
}

export class ChatTableDto implements ChatTable {
  columns: string[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } } })
  rows: string[][];
  /** Rows left out to keep the reply small. */
  omitted?: number;
}

export class ChatChartRefDto implements ChatChartRef {
  serverId: string;
  @ApiProperty({ enum: CHAT_METRIC_RANGES }) range: ChatMetricRange;
}

export class ChatActionDto implements ChatAction {
  label: string;
  /** Sent as the user's next message when pressed. */
  command: string;
  @ApiProperty({ enum: CHAT_ACTION_STYLES }) style: ChatActionStyle;
  /** The server the command acts on, when one. */
  @ApiPropertyOptional({ format: 'uuid' }) serverId?: string;
  /** The capability the command needs on `serverId` (the dashboard disables the button without it). */
  @ApiPropertyOptional({ enum: CAPABILITIES }) capability?: Capability;
}

export class ChatConfirmationDto implements ChatConfirmation {
  /** One-time: `confirm <token>` runs the command once, within 60 s. */
  token: string;
  /** What runs on confirmation. */
  command: string;
  expiresAt: string;
  /** `pending` until confirmed, cancelled (`cancel <token>`) or expired; history answers with the final state. */
  @ApiPropertyOptional({ enum: CHAT_CONFIRM_STATES }) state?: ChatConfirmState;
  /** Who confirmed or cancelled it (username). */
  decidedBy?: string;
  /** The door it was decided through. */
  @ApiPropertyOptional({ enum: CHAT_CHANNELS }) decidedVia?: ChatChannel;
  decidedAt?: string;
}

export class ChatStreamRefDto implements ChatStreamRef {
  /** The stream's id in `chat_stream` / `chat_stream_end` events over `/live`. */
  id: string;
  @ApiProperty({ enum: CHAT_STREAM_KINDS }) kind: ChatStreamKind;
  serverId: string;
  /** `running` while output streams; `ended` in the final reply. */
  @ApiProperty({ enum: ['running', 'ended'] }) state: 'running' | 'ended';
  /** A followed log: `chat_stream_stop` stops it. */
  stoppable: boolean;
  /** `logs`: the followed container. */
  container?: string;
  /** `logs`: how many lines the final card shows. */
  lines?: number;
}

export class ChatErrorDto implements ChatError {
  /** `chat.*` for the language; otherwise the REST error code of the service that refused (e.g. `server.not_found`). */
  code: string;
  message: string;
  /** Closest names for an unknown command or server. */
  suggestions?: string[];
}

/** A transport-neutral card: the dashboard draws it; Slack/Mattermost doors map it to Block Kit or attachments. */
export class ChatReplyDto implements ChatReply {
  title: string;
  text?: string;
  /** Show `text` monospaced (command output, logs). */
  monospace?: boolean;
  fields?: ChatFieldDto[];
  table?: ChatTableDto;
  /** Draw the server's history for the range (`GET /metrics/{serverId}/history`). */
  chart?: ChatChartRefDto;
  /** Buttons. */
  actions?: ChatActionDto[];
  /** Present when the command waits for a confirmation. */
  confirm?: ChatConfirmationDto;
  /** Present when the output streams over `/live` (`stream: true`); the final reply replaces this one. */
  stream?: ChatStreamRefDto;
  /** Present when the message did not parse or the command was refused. */
  error?: ChatErrorDto;
}

export class ChatMessageResponseDto implements ChatMessageResponse {
  /** The conversation entry. */
  id: string;
  reply: ChatReplyDto;
}

export class ChatHistoryEntryDto implements ChatHistoryEntry {
  id: string;
  @ApiProperty({ enum: CHAT_CHANNELS }) channel: ChatChannel;
  text: string;
  /** The command the text parsed to; null when it did not parse. */
  command: string | null;
  /** The server the entry is about; null when none (or since deleted). */
  serverId: string | null;
  /** False when the reply carries an error. */
  ok: boolean;
  reply: ChatReplyDto;
  createdAt: string;
}

export class ChatHistoryPageDto implements ChatHistoryPage {
  /** Newest first. */
  items: ChatHistoryEntryDto[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}

export class ChatCompletionDto implements ChatCompletion {
  /** The whole input with the word completed. */
  text: string;
  label: string;
  @ApiProperty({ enum: CHAT_COMPLETION_KINDS }) kind: ChatCompletionKind;
  @ApiPropertyOptional() description?: string;
}

export class ChatCompletionsDto implements ChatCompletions {
  items: ChatCompletionDto[];
}

export class ChatSettingsDto implements ChatSettings {
  /** Destructive commands wait for `confirm <token>` (default true). */
  confirmDestructive: boolean;
}
