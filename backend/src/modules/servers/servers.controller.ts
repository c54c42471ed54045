import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { CreateServerDto, ListServersQueryDto, UpdateServerDto } from './dto/server.dto';
import { ServerResponse } from './dto/server.response';
import { ServersService } from './servers.service';
import { MoveServerDto } from '../teams/dto/team.dto';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

@ApiTags('servers')
@ApiErrors(400, 401, 403, 404, 413)
@ApiBearerAuth()
@Controller('servers')
export class ServersController {
  constructor(private readonly servers: ServersService) {}

  /**
   * Servers you may see: your personal servers and your teams' servers (the instance admin: every
   * server), each with `access`, what you may do on it; `?tag=` keeps those with that tag.
   */
  @Get()
  listServers(@CurrentUser() user: AuthUser, @Query() query: ListServersQueryDto): Promise<ServerResponse[]> {
    return this.servers.list(user, query.tag);
  }

  /** Registers a server; then create an API key for its agent. */
  @Post()
  createServer(@CurrentUser() user: AuthUser, @Body() dto: CreateServerDto, @ReqMeta() meta: RequestMeta): Promise<ServerResponse> {
    return this.servers.create(user, dto, meta);
  }

  /** One server (404 when it does not exist or is not yours). */
  @Get(':id')
  @ApiCapability('server.read')
  getServer(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<ServerResponse> {
    return this.servers.get(user, id);
  }

  /** Partial update: only the fields sent change. */
  @Put(':id')
  @ApiCapability('server.manage')
  updateServer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateServerDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<ServerResponse> {
    return this.servers.update(user, id, dto, meta);
  }

  /**
   * Moves the server to a team (`teamId`, a team you are an admin of) or to you personally (`null`).
   * Needs `server.manage` on the server; audited for both teams.
   */
  @Put(':id/owner')
  @ApiErrors(403, 409)
  @ApiCapability('server.manage')
  moveServer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @Body() dto: MoveServerDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<ServerResponse> {
    return this.servers.move(user, id, dto.teamId, meta);
  }

  /** Deletes the server with its keys, samples, alerts and history; its agent is disconnected. */
  @Delete(':id')
  @HttpCode(204)
  @ApiCapability('server.manage')
  deleteServer(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.servers.remove(user, id, meta);
  }
}
