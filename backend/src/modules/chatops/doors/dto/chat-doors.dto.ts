import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  CHAT_PROVIDERS, type ChatIntegrationStatus, type ChatLink, type ChatLinkConfirmRequest, type ChatLinkPreview, type ChatProvider,
  type MattermostIntegrationUpdate, type SlackIntegrationUpdate,
} from '@chatops/protocol';

export class ConfirmChatLinkDto implements ChatLinkConfirmRequest {
  /** The `token` of the link URL given in chat. */
  @IsString() @MinLength(16) @MaxLength(128) @Matches(/^[A-Za-z0-9_-]+$/, { message: 'token must be a link token' })
  token: string;
}

export class SlackIntegrationDto implements SlackIntegrationUpdate {
  /** The Slack app's signing secret (Basic Information → App Credentials); never returned. */
  @IsString() @MinLength(8) @MaxLength(256) @Matches(/^\S+$/, { message: 'signingSecret must not contain spaces' })
  signingSecret: string;
}

export class MattermostIntegrationDto implements MattermostIntegrationUpdate {
  /** The slash command's token (Integrations → Slash Commands); never returned. */
  @IsString() @MinLength(8) @MaxLength(256) @Matches(/^\S+$/, { message: 'token must not contain spaces' })
  token: string;
}

export class ChatProviderParamDto {
  @ApiProperty({ enum: CHAT_PROVIDERS }) @IsIn(CHAT_PROVIDERS) provider: ChatProvider;
}

export class ChatLinkDto implements ChatLink {
  id: string;
  @ApiProperty({ enum: CHAT_PROVIDERS }) provider: ChatProvider;
  teamId: string;
  chatUserId: string;
  @ApiProperty({ type: String, nullable: true }) chatUserName: string | null;
  createdAt: string;
}

export class ChatLinkPreviewDto implements ChatLinkPreview {
  @ApiProperty({ enum: CHAT_PROVIDERS }) provider: ChatProvider;
  teamId: string;
  chatUserId: string;
  @ApiProperty({ type: String, nullable: true }) chatUserName: string | null;
  expiresAt: string;
}

export class ChatIntegrationStatusDto implements ChatIntegrationStatus {
  @ApiProperty({ enum: CHAT_PROVIDERS }) provider: ChatProvider;
  configured: boolean;
  @ApiProperty({ enum: ['stored', 'env'], nullable: true }) source: 'stored' | 'env' | null;
  @ApiProperty({ type: String, nullable: true }) updatedAt: string | null;
}

/** The button's context as this backend made it. */
export class MattermostActionContextDto {
  /** `<claims>.<mac>`: signed by this backend for one chat user, one command, five minutes; used once. */
  token: string;
}

/**
 * What Mattermost posts when a ChatOps button is pressed (documentation only: the route reads the
 * fields it needs and ignores the others Mattermost adds, so this is not validated as a DTO).
 */
export class MattermostActionDto {
  /** The presser: must be the chat user the button was made for. */
  user_id: string;
  team_id?: string;
  user_name?: string;
  context: MattermostActionContextDto;
}

export class MattermostActionResponseDto {
  /** Shown to the presser only. */
  ephemeral_text: string;
}
