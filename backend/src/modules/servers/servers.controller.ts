import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { CreateServerDto, ListServersQueryDto, UpdateServerDto } from './dto/server.dto';
import { ServerResponse } from './dto/server.response';
import { ServersService } from './servers.service';
import { UuidPipe } from '../../common/uuid.pipe';

@ApiTags('servers')
@ApiErrors(400, 401, 404, 413)
@ApiBearerAuth()
@Controller('servers')
export class ServersController {
  constructor(private readonly servers: ServersService) {}

  /** Servers you own (admins: every server), by name; `?tag=` keeps those with that tag. */
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
  getServer(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<ServerResponse> {
    return this.servers.get(user, id);
  }

  /** Partial update: only the fields sent change. */
  @Put(':id')
  updateServer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateServerDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<ServerResponse> {
    return this.servers.update(user, id, dto, meta);
  }

  /** Deletes the server with its keys, samples, alerts and history; its agent is disconnected. */
  @Delete(':id')
  @HttpCode(204)
  deleteServer(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.servers.remove(user, id, meta);
  }
}
