import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../../common/decorators';
import { UuidPipe } from '../../../common/uuid.pipe';
import { ChatLinks } from './chat-links.service';
import { ChatLinkDto, ChatLinkPreviewDto, ConfirmChatLinkDto } from './dto/chat-doors.dto';

/** Your chat identities (Slack, Mattermost users) and linking a new one (docs/chatops.md). */
@ApiTags('chatops')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('chatops/links')
export class ChatLinksController {
  constructor(private readonly links: ChatLinks) {}

  @Get()
  @ApiOkResponse({ type: [ChatLinkDto] })
  listChatLinks(@CurrentUser() user: AuthUser): Promise<ChatLinkDto[]> {
    return this.links.list(user);
  }

  /** Who a link request is for (show it before confirming); the token stays unused. */
  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ type: ChatLinkPreviewDto })
  @ApiErrors(404, 409, 410)
  previewChatLink(@Body() dto: ConfirmChatLinkDto): Promise<ChatLinkPreviewDto> {
    return this.links.preview(dto.token);
  }

  /** Links the chat user who was given the token (by `link` in chat) to you; once, within 10 minutes. */
  @Post('confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: ChatLinkDto })
  @ApiErrors(404, 409, 410)
  confirmChatLink(@CurrentUser() user: AuthUser, @Body() dto: ConfirmChatLinkDto, @ReqMeta() meta: RequestMeta): Promise<ChatLinkDto> {
    return this.links.confirm(user, dto.token, meta);
  }

  /** Unlinks: that chat user is nobody again. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(404)
  revokeChatLink(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.links.revoke(user, id, meta);
  }
}
