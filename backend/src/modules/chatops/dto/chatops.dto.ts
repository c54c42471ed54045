import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CHAT_TEXT_MAX_LENGTH, type ChatMessageRequest, type ChatSettings } from '@chatops/protocol';

export class ChatMessageDto implements ChatMessageRequest {
  /** The message, e.g. `status`, `run web-1 -- df -h`; 1–4,000 characters, not blank. */
  @IsString() @MinLength(1) @MaxLength(CHAT_TEXT_MAX_LENGTH) @Matches(/\S/, { message: 'text must not be blank' })
  text: string;
  /** The server the conversation is about (the panel on a server page): used when a command names none. */
  @IsOptional() @IsUUID() serverId?: string;
  /**
   * Stream `run` and `logs … follow` over `/live` (`chat_stream`, `chat_stream_end` to your sockets):
   * the reply comes at once with `stream`. Default false: the reply waits for the command.
   */
  @IsOptional() @IsBoolean() stream?: boolean;
}

export class ChatHistoryQueryDto {
  /** Only entries about this server. */
  @IsOptional() @IsUUID() serverId?: string;
  /** Substring of the message text (case-insensitive). */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** A `nextCursor` from the previous page. */
  @IsOptional() @IsString() @MaxLength(64) before?: string;
  /** 1–200, default 50. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class ChatCompleteQueryDto {
  /** The input so far; its last word is completed (after a space: the next word). */
  @IsString() @MaxLength(CHAT_TEXT_MAX_LENGTH) text: string;
  /** The conversation's server: its containers are offered. */
  @IsOptional() @IsUUID() serverId?: string;
}

export class UpdateChatSettingsDto implements Partial<ChatSettings> {
  /** Destructive commands (`run`, docker stop/restart/kill) wait for `confirm <token>`. */
  @IsOptional() @IsBoolean() confirmDestructive?: boolean;
}
