import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../../common/decorators';
import { AccessService } from '../access/access.service';
import { HistoryQueryDto } from './dto/metrics.dto';
import { HistoryResponse, LatestMetricsResponse } from './dto/metrics.response';
import { LatestSamples } from './latest-samples.service';
import { MetricsHistoryService } from './metrics-history.service';
import { MetricsErrorCode, MetricsException } from './metrics.errors';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

@ApiTags('metrics')
@ApiErrors(400, 401, 404)
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly access: AccessService,
    private readonly latest: LatestSamples,
    private readonly historyService: MetricsHistoryService,
  ) {}

  /** The newest sample of a server (404 until its agent sent one). */
  @Get(':serverId')
  @ApiCapability('metrics.read')
  getLatestMetrics(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string): Promise<LatestMetricsResponse> {
    return this.findLatest(user, serverId);
  }

  /** Alias of `GET /metrics/{serverId}`. */
  @Get(':serverId/latest')
  @ApiCapability('metrics.read')
  getLatestMetricsAlias(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string): Promise<LatestMetricsResponse> {
    return this.findLatest(user, serverId);
  }

  /** Bucketed history: at most `points` buckets between `start` and `end`, gaps as nulls. */
  @Get(':serverId/history')
  @ApiCapability('metrics.read')
  async getMetricsHistory(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Query() q: HistoryQueryDto,
  ): Promise<HistoryResponse> {
    // The ownership check comes first: it also gives the agent's sample interval, the narrowest bucket.
    const server = await this.access.require(user, serverId, 'metrics.read');
    return this.historyService.history(serverId, q, server.agent?.intervalSec);
  }

  private async findLatest(user: AuthUser, serverId: string): Promise<LatestMetricsResponse> {
    await this.access.require(user, serverId, 'metrics.read');
    const latest = await this.latest.get(serverId);
    if (!latest) throw new MetricsException(MetricsErrorCode.NotFound, 'Metrics for this server not found');
    return latest;
  }
}
