import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-errors';
import { Public, ReqMeta, RequestMeta } from '../../../common/decorators';
import { MattermostTokenGuard, SlackSignatureGuard } from './chat-door.guards';
import { MattermostActionDto, MattermostActionResponseDto } from './dto/chat-doors.dto';
import type { MattermostResponse } from './mattermost-attachments';
import { MattermostDoor, type MattermostActionRequest, type MattermostActionResponse } from './mattermost-door.service';
import type { SlackMessage } from './slack-blocks';
import { SlackDoor } from './slack-door.service';

const FORM = { schema: { type: 'object', additionalProperties: { type: 'string' } } } as const;

/**
 * The chat platforms' doors (docs/chatops.md): no ChatOps session, the platform's own proof
 * instead (Slack's request signature, Mattermost's command token), then the linked account.
 * Bodies are application/x-www-form-urlencoded, parsed with the raw bytes kept for the signature.
 */
@ApiTags('chatops')
@ApiErrors(400, 401, 503)
@Public()
@Controller('chatops')
export class ChatDoorsController {
  constructor(
    private readonly slack: SlackDoor,
    private readonly mattermost: MattermostDoor,
  ) {}

  /** Slack slash command: the answer is a Block Kit message (or "working…", the answer then going to `response_url`). */
  @Post('slack/commands')
  @HttpCode(200)
  @UseGuards(SlackSignatureGuard)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody(FORM)
  @ApiOkResponse({ schema: { type: 'object', description: 'A Slack message: {response_type, text, blocks}' } })
  slackCommand(@Body() form: Record<string, unknown>, @ReqMeta() meta: RequestMeta): Promise<SlackMessage> {
    return this.slack.command(form, meta);
  }

  /** Slack interactivity (button presses): acknowledged at once, answered through the payload's `response_url`. */
  @Post('slack/interactions')
  @HttpCode(200)
  @UseGuards(SlackSignatureGuard)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody(FORM)
  @ApiOkResponse({ description: 'Acknowledged (empty body)' })
  async slackInteraction(@Body() form: Record<string, unknown>, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.slack.interaction(form, meta);
  }

  /** Mattermost outgoing slash command: answered with message attachments. */
  @Post('mattermost/commands')
  @HttpCode(200)
  @UseGuards(MattermostTokenGuard)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody(FORM)
  @ApiOkResponse({ schema: { type: 'object', description: 'A Mattermost slash command response: {response_type, text, attachments}' } })
  mattermostCommand(@Body() form: Record<string, unknown>, @ReqMeta() meta: RequestMeta): Promise<MattermostResponse> {
    return this.mattermost.command(form, meta);
  }

  /**
   * Mattermost interactive buttons (JSON, as Mattermost posts them): the button's `context.token`,
   * made and signed by this backend for one linked chat user, one command and five minutes, used
   * once. Answered with an ephemeral message to the presser.
   */
  @Post('mattermost-actions')
  @HttpCode(200)
  @ApiBody({ type: MattermostActionDto })
  @ApiOkResponse({ type: MattermostActionResponseDto, description: 'A Mattermost integration action response' })
  mattermostAction(@Body() body: MattermostActionRequest, @ReqMeta() meta: RequestMeta): Promise<MattermostActionResponse> {
    return this.mattermost.action(body, meta);
  }
}
