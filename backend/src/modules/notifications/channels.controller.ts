import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { ChannelsService } from './channels.service';
import { ChannelResponse, ChannelTestResponse, CreateChannelDto, DeliveryResponse, UpdateChannelDto } from './dto/channel.dto';
import { UuidPipe } from '../../common/uuid.pipe';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 413)
@Controller('notifications/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  /** Your channels; URLs and secrets are never returned (`urlPreview`, `hasSecret`). */
  @Get()
  listChannels(@CurrentUser() user: AuthUser): Promise<ChannelResponse[]> {
    return this.channels.list(user);
  }

  /** A webhook (signed JSON), a Slack-compatible incoming webhook, or email over SMTP. */
  @Post()
  createChannel(@CurrentUser() user: AuthUser, @Body() dto: CreateChannelDto, @ReqMeta() meta: RequestMeta): Promise<ChannelResponse> {
    return this.channels.create(user, dto, meta);
  }

  @Get(':id')
  getChannel(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<ChannelResponse> {
    return this.channels.get(user, id);
  }

  /** Partial; `url` and `secret` left out keep the stored ones. */
  @Put(':id')
  updateChannel(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: UpdateChannelDto, @ReqMeta() meta: RequestMeta): Promise<ChannelResponse> {
    return this.channels.update(user, id, dto, meta);
  }

  /** Deletes the channel; rules that named it stop notifying it. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  deleteChannel(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.channels.remove(user, id, meta);
  }

  /** The channel's last 200 messages (alert notifications and tests), newest first. */
  @Get(':id/deliveries')
  listChannelDeliveries(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<DeliveryResponse[]> {
    return this.channels.deliveries(user, id);
  }

  /** Sends a test message now and reports the outcome (`ok:false` with the error when it failed: still a 200). */
  @Post(':id/test')
  @HttpCode(200)
  testChannel(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<ChannelTestResponse> {
    return this.channels.test(user, id);
  }
}
