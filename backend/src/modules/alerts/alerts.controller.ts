import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { DeliveryResponse } from '../notifications/dto/channel.dto';
import { AlertsService } from './alerts.service';
import { AlertDetailResponse, AlertNoteDto, AlertPageResponse, AlertQueryDto } from './dto/alert.dto';
import { CreateSilenceDto, SilenceResponse } from './dto/silence.dto';
import { CreateThresholdDto, ThresholdQueryDto, ThresholdResponse, UpdateThresholdDto } from './dto/threshold.dto';
import { SilencesService } from './silences.service';
import { ThresholdsService } from './thresholds.service';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

/** Alert rules. Registered before AlertsController so that `/alerts/thresholds` is not taken for an alert id. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 413)
@Controller('alerts/thresholds')
export class ThresholdsController {
  constructor(private readonly thresholds: ThresholdsService) {}

  /**
   * Your all-servers rules and the rules on your servers, your teams' included (whoever created them);
   * with `serverId`, those that apply to that server (its own and, on a personal server, its owner's
   * all-servers rules).
   */
  @Get()
  listThresholds(@CurrentUser() user: AuthUser, @Query() q: ThresholdQueryDto): Promise<ThresholdResponse[]> {
    return this.thresholds.list(user, q.serverId);
  }

  /** Creates a rule: for one server (shared with its team), or (no serverId) for every personal server of yours, present and future. */
  @Post()
  @ApiCapability('rules.manage')
  createThreshold(@CurrentUser() user: AuthUser, @Body() dto: CreateThresholdDto, @ReqMeta() meta: RequestMeta): Promise<ThresholdResponse> {
    return this.thresholds.create(user, dto, meta);
  }

  /** A rule on a server you may read (any role), or an all-servers rule of yours. */
  @Get(':id')
  @ApiCapability('alerts.read')
  getThreshold(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<ThresholdResponse> {
    return this.thresholds.get(user, id);
  }

  /**
   * Partial update (`rules.manage` on the rule's server; an all-servers rule: its creator only).
   * Disabling the rule, or changing what it measures, resolves its open alerts. `channelIds` are
   * always the creator's channels; only the creator may set `serverId` to null.
   */
  @Put(':id')
  @ApiCapability('rules.manage')
  updateThreshold(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: UpdateThresholdDto, @ReqMeta() meta: RequestMeta): Promise<ThresholdResponse> {
    return this.thresholds.update(user, id, dto, meta);
  }

  /** Deletes the rule and resolves its open alerts (which stay listed). `rules.manage` on its server. */
  @Delete(':id')
  @ApiCapability('rules.manage')
  @HttpCode(204)
  @ApiNoContentResponse()
  deleteThreshold(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.thresholds.remove(user, id, meta);
  }
}

/** Silences: alerts they cover are recorded (marked `silenced`) but notify nobody. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 413)
@Controller('alerts/silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  /** Your all-servers silences and the silences on your servers, your teams' included. */
  @Get()
  listSilences(@CurrentUser() user: AuthUser): Promise<SilenceResponse[]> {
    return this.silences.list(user);
  }

  @Post()
  @ApiCapability('alerts.manage')
  createSilence(@CurrentUser() user: AuthUser, @Body() dto: CreateSilenceDto, @ReqMeta() meta: RequestMeta): Promise<SilenceResponse> {
    return this.silences.create(user, dto, meta);
  }

  /** Ends the silence now (`alerts.manage` on its server; an all-servers silence: its creator only). */
  @Delete(':id')
  @ApiCapability('alerts.manage')
  @HttpCode(204)
  @ApiNoContentResponse()
  deleteSilence(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.silences.remove(user, id, meta);
  }
}

@ApiTags('alerts')
@ApiBearerAuth()
@ApiErrors(400, 401, 404, 413)
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Alerts of your servers, newest first, paged (`{items, nextCursor}`). */
  @Get()
  listAlerts(@CurrentUser() user: AuthUser, @Query() q: AlertQueryDto): Promise<AlertPageResponse> {
    return this.alerts.list(user, q);
  }

  /** One alert with the snapshot taken when it fired. */
  @Get(':id')
  @ApiCapability('alerts.read')
  getAlert(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<AlertDetailResponse> {
    return this.alerts.get(user, id);
  }

  /** Active → acknowledged; 409 when it is not active. */
  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiErrors(409)
  @ApiCapability('alerts.manage')
  acknowledgeAlert(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: AlertNoteDto, @ReqMeta() meta: RequestMeta): Promise<AlertDetailResponse> {
    return this.alerts.acknowledge(user, id, dto.note, meta);
  }

  /** Closes the alert (409 when already resolved). It fires again only after its condition cleared and breached again. */
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiErrors(409)
  @ApiCapability('alerts.manage')
  resolveAlert(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: AlertNoteDto, @ReqMeta() meta: RequestMeta): Promise<AlertDetailResponse> {
    return this.alerts.resolve(user, id, dto.note, meta);
  }

  /** The notifications sent (or suppressed) about this alert, newest first. */
  @Get(':id/deliveries')
  @ApiCapability('alerts.read')
  listAlertDeliveries(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<DeliveryResponse[]> {
    return this.alerts.listDeliveries(user, id);
  }
}
