import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiErrors } from '../../common/api-errors';
import { ApiBearerAuth, ApiHeader, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, NoStore, Public, ReqMeta, RequestMeta } from '../../common/decorators';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyIdentityResponse, ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability } from '../access/api-capability.decorator';

@ApiTags('api-keys')
@ApiErrors(400, 401, 404, 413)
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates an agent key for one of your servers. The key is in this response only. */
  @ApiBearerAuth()
  @NoStore()
  @Post()
  @ApiCapability('keys.manage')
  createApiKey(@CurrentUser() user: AuthUser, @Body() dto: CreateApiKeyDto, @ReqMeta() meta: RequestMeta): Promise<CreatedApiKeyResponse> {
    return this.keys.create(user, dto, meta);
  }

  /** Which server and key an `X-API-Key` header belongs to (for agents and scripts). */
  @Public()
  @ApiSecurity('apiKey')
  @ApiHeader({ name: 'X-API-Key', required: true, description: 'An agent API key (cok_…)' })
  @Get('me')
  getApiKeyIdentity(@Headers('x-api-key') key: string | undefined): Promise<ApiKeyIdentityResponse> {
    return this.keys.identify(key);
  }

  /** The server's keys, newest first, without the key material. */
  @ApiBearerAuth()
  @Get('server/:serverId')
  @ApiCapability('keys.manage')
  listServerApiKeys(@CurrentUser() user: AuthUser, @Param('serverId', UuidPipe) serverId: string): Promise<ApiKeyResponse[]> {
    return this.keys.listForServer(user, serverId);
  }

  /** Turns the key off and disconnects the agent that uses it. */
  @ApiBearerAuth()
  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiCapability('keys.manage')
  deactivateApiKey(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<ApiKeyResponse> {
    return this.keys.deactivate(user, id, meta);
  }

  /** Deletes the key and disconnects the agent that uses it. */
  @ApiBearerAuth()
  @Delete(':id')
  @HttpCode(204)
  @ApiCapability('keys.manage')
  deleteApiKey(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.keys.remove(user, id, meta);
  }
}
