import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { ChatRateLimiter } from './chat-rate-limit.service';
import { ChatSettingsService } from './chat-settings.service';
import { ChatopsService } from './chatops.service';
import { ChatCompleteQueryDto, ChatHistoryQueryDto, ChatMessageDto, UpdateChatSettingsDto } from './dto/chatops.dto';
import { ChatCompletionsDto, ChatHistoryPageDto, ChatMessageResponseDto, ChatSettingsDto } from './dto/chatops.response';

/**
 * The dashboard's chat door (docs/chatops.md). A message that does not parse, or a command a
 * service refuses (another user's server, a policy, an agent away), is a 200 whose reply carries
 * `error` with the same code and message as REST; 4xx is for a malformed request only.
 */
@ApiTags('chatops')
@ApiBearerAuth()
@ApiErrors(400, 401, 413)
@Controller('chatops')
export class ChatopsController {
  constructor(
    private readonly chat: ChatopsService,
    private readonly settings: ChatSettingsService,
    private readonly limiter: ChatRateLimiter,
  ) {}

  /**
   * Sends a message and answers with the reply card. Destructive commands answer with `confirm`
   * (a one-time token, 60 s) unless confirmations are off; `confirm <token>` runs them once.
   * Commands that reach an agent answer when it did (a `run` waits for the command), unless
   * `stream` is true: then `run` and `logs … follow` answer at once with `reply.stream` and their
   * output comes over `/live` (`chat_stream`, `chat_stream_end`).
   */
  @Post('messages')
  @HttpCode(200)
  @ApiOkResponse({ type: ChatMessageResponseDto })
  @ApiTooManyRequestsResponse({ description: 'chat.rate_limited: more than CHAT_RATE_LIMIT messages from this account (every door together); `Retry-After` says when to try again' })
  async sendChatMessage(@CurrentUser() user: AuthUser, @Body() dto: ChatMessageDto, @ReqMeta() meta: RequestMeta): Promise<ChatMessageResponseDto> {
    await this.limiter.enforce([{ kind: 'account', userId: user.id }]);
    return this.chat.handle(user, { text: dto.text, serverId: dto.serverId ?? null, channel: 'dashboard', stream: dto.stream === true }, meta);
  }

  /** Your conversation, newest first, paged; `serverId` narrows to one server, `q` searches the messages. */
  @Get('history')
  @ApiOkResponse({ type: ChatHistoryPageDto })
  listChatHistory(@CurrentUser() user: AuthUser, @Query() q: ChatHistoryQueryDto): Promise<ChatHistoryPageDto> {
    return this.chat.history(user, q);
  }

  /** Completes the last word: command names, your servers and tags, containers of the server in question. */
  @Get('complete')
  @ApiOkResponse({ type: ChatCompletionsDto })
  completeChatMessage(@CurrentUser() user: AuthUser, @Query() q: ChatCompleteQueryDto): Promise<ChatCompletionsDto> {
    return this.chat.complete(user, q.text, q.serverId);
  }

  @Get('settings')
  @ApiOkResponse({ type: ChatSettingsDto })
  getChatSettings(@CurrentUser() user: AuthUser): Promise<ChatSettingsDto> {
    return this.settings.get(user.id);
  }

  /** Turns the confirm step of destructive commands on or off (audited). */
  @Put('settings')
  @ApiOkResponse({ type: ChatSettingsDto })
  updateChatSettings(@CurrentUser() user: AuthUser, @Body() dto: UpdateChatSettingsDto, @ReqMeta() meta: RequestMeta): Promise<ChatSettingsDto> {
    return this.settings.update(user, dto, meta);
  }
}
