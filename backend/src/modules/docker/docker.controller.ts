import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CONTAINER_MUTATIONS, type ContainerMutation } from '@chatops/protocol';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { DockerService } from './docker.service';
import { ParseContainerMutationPipe, ParseContainerRefPipe } from './docker.pipes';
import { ContainerActionQueryDto, ContainerEventsQueryDto, ContainerLogsQueryDto, ListContainersQueryDto } from './dto/docker.dto';
import {
  ContainerActionResponseDto, ContainerEventDto, ContainerInfoDto, ContainerInspectDto, ContainerLogsDto, ContainerStatsDto, ImageInfoDto,
} from './dto/docker.response';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

const CONTAINER_ID = { name: 'containerId', description: 'A container id (12–64 hex digits) or name', example: 'web-1' };

/**
 * Docker on a server, through its agent. 503 `agent.not_connected`: no agent; 503
 * `docker.docker_unavailable`: the agent is there but the Docker Engine does not answer; 403
 * `docker.disabled` / `docker.read_only`: the agent's flags say no (the message names the flag);
 * 504: no answer in time. See docs/docker.md.
 */
@ApiTags('docker')
@ApiBearerAuth()
@ApiErrors(400, 401, 403, 404, 413, 502, 503, 504)
@Controller('docker')
export class DockerController {
  constructor(private readonly docker: DockerService) {}

  /** The server's containers (stopped ones too unless `all=false`). */
  @Get(':serverId/containers')
  @ApiOkResponse({ type: [ContainerInfoDto] })
  @ApiCapability('containers.read')
  listContainers(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string, @Query() q: ListContainersQueryDto): Promise<ContainerInfoDto[]> {
    return this.docker.list(user, serverId, q.all ?? true);
  }

  /** One container in detail; environment values are `***` unless the agent runs with `--docker-show-env`. */
  @Get(':serverId/containers/:containerId')
  @ApiParam(CONTAINER_ID)
  @ApiCapability('containers.read')
  inspectContainer(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Param('containerId', ParseContainerRefPipe) containerId: string,
  ): Promise<ContainerInspectDto> {
    return this.docker.inspect(user, serverId, containerId);
  }

  /**
   * Changes a container: `start`, `stop` and `restart` (`?timeout=` seconds before SIGKILL), `pause`,
   * `unpause`, `kill` (`?signal=`), `remove` (`?force=`, `?volumes=`). Answers once Docker did it
   * (a stop waits its timeout); audited as `docker.<action>` whatever the outcome. 409: Docker refused
   * in the container's state (its message is passed on).
   */
  @Post(':serverId/containers/:containerId/:action')
  @HttpCode(200)
  @ApiParam(CONTAINER_ID)
  @ApiParam({ name: 'action', enum: CONTAINER_MUTATIONS })
  @ApiOkResponse({ type: ContainerActionResponseDto })
  @ApiErrors(409)
  @ApiCapability('docker.action')
  actOnContainer(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Param('containerId', ParseContainerRefPipe) containerId: string,
    @Param('action', ParseContainerMutationPipe) action: ContainerMutation,
    @Query() q: ContainerActionQueryDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<ContainerActionResponseDto> {
    return this.docker.act(user, serverId, containerId, action, q, meta);
  }

  /** The newest `tail` lines (default 100, at most 10,000), oldest first; follow them live over `/live` (`container_logs_subscribe`). */
  @Get(':serverId/containers/:containerId/logs')
  @ApiParam(CONTAINER_ID)
  @ApiCapability('containers.read')
  getContainerLogs(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Param('containerId', ParseContainerRefPipe) containerId: string,
    @Query() q: ContainerLogsQueryDto,
  ): Promise<ContainerLogsDto> {
    return this.docker.logs(user, serverId, containerId, q);
  }

  /** One reading of the container's CPU, memory, network and process count. */
  @Get(':serverId/containers/:containerId/stats')
  @ApiParam(CONTAINER_ID)
  @ApiCapability('containers.read')
  getContainerStats(
    @CurrentUser() user: AuthUser,
    @Param('serverId', UuidPipe) serverId: string,
    @Param('containerId', ParseContainerRefPipe) containerId: string,
  ): Promise<ContainerStatsDto> {
    return this.docker.stats(user, serverId, containerId);
  }

  /** The server's images. */
  @Get(':serverId/images')
  @ApiOkResponse({ type: [ImageInfoDto] })
  @ApiCapability('containers.read')
  listImages(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string): Promise<ImageInfoDto[]> {
    return this.docker.images(user, serverId);
  }

  /** Recent container events (start, die, health_status, ...), newest first; the newest 500 per server are kept. */
  @Get(':serverId/events')
  @ApiOkResponse({ type: [ContainerEventDto] })
  @ApiCapability('containers.read')
  listContainerEvents(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string, @Query() q: ContainerEventsQueryDto): Promise<ContainerEventDto[]> {
    return this.docker.recentEvents(user, serverId, q);
  }
}
