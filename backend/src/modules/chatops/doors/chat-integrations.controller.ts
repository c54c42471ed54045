import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../../common/decorators';
import { ChatIntegrations } from './chat-integrations.service';
import { ChatIntegrationStatusDto, ChatProviderParamDto, MattermostIntegrationDto, SlackIntegrationDto } from './dto/chat-doors.dto';

/** Instance settings of the chat doors (admins only): the secrets are stored sealed and never returned. */
@ApiTags('chatops')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Controller('chatops/integrations')
export class ChatIntegrationsController {
  constructor(private readonly integrations: ChatIntegrations) {}

  /** Whether the door is configured, and from where (`stored` through this API, or `env`). */
  @Get(':provider')
  @ApiOkResponse({ type: ChatIntegrationStatusDto })
  getChatIntegration(@CurrentUser() user: AuthUser, @Param() p: ChatProviderParamDto): Promise<ChatIntegrationStatusDto> {
    return this.integrations.status(user, p.provider);
  }

  /** Stores the Slack app's signing secret (audited). */
  @Put('slack')
  @ApiOkResponse({ type: ChatIntegrationStatusDto })
  updateSlackIntegration(@CurrentUser() user: AuthUser, @Body() dto: SlackIntegrationDto, @ReqMeta() meta: RequestMeta): Promise<ChatIntegrationStatusDto> {
    return this.integrations.store(user, 'slack', dto.signingSecret, meta);
  }

  /** Stores the Mattermost slash command's token (audited). */
  @Put('mattermost')
  @ApiOkResponse({ type: ChatIntegrationStatusDto })
  updateMattermostIntegration(@CurrentUser() user: AuthUser, @Body() dto: MattermostIntegrationDto, @ReqMeta() meta: RequestMeta): Promise<ChatIntegrationStatusDto> {
    return this.integrations.store(user, 'mattermost', dto.token, meta);
  }

  /** Forgets the stored secret (the environment variable, if set, applies again; audited). */
  @Delete(':provider')
  @ApiOkResponse({ type: ChatIntegrationStatusDto })
  removeChatIntegration(@CurrentUser() user: AuthUser, @Param() p: ChatProviderParamDto, @ReqMeta() meta: RequestMeta): Promise<ChatIntegrationStatusDto> {
    return this.integrations.remove(user, p.provider, meta);
  }
}
