import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, NoStore, ReqMeta, RequestMeta, SessionOnly } from '../../common/decorators';
import { UuidPipe } from '../../common/uuid.pipe';
import { CreatePersonalTokenDto } from './dto/personal-token.dto';
import { CreatedPersonalTokenResponse, PersonalTokenResponse } from './dto/personal-token.response';
import { PersonalTokensService } from './personal-tokens.service';

/** Personal API tokens for scripts and automation (`Authorization: Bearer cop_…`). */
@ApiTags('auth')
@ApiBearerAuth()
@ApiErrors(400, 401, 403, 404, 413)
@Controller('auth/tokens')
export class PersonalTokensController {
  constructor(private readonly tokens: PersonalTokensService) {}

  /** Creates a personal API token; the secret is in this response only. Needs a signed-in session (not a token). */
  @SessionOnly()
  @NoStore()
  @Post()
  createPersonalToken(@CurrentUser() user: AuthUser, @Body() dto: CreatePersonalTokenDto, @ReqMeta() meta: RequestMeta): Promise<CreatedPersonalTokenResponse> {
    return this.tokens.create(user, dto, meta);
  }

  /** Your tokens that are not revoked, newest first, without the secret. */
  @Get()
  listPersonalTokens(@CurrentUser() user: AuthUser): Promise<PersonalTokenResponse[]> {
    return this.tokens.list(user);
  }

  /** Revokes one of your tokens: it stops working at once (401 `token.revoked`). Needs a signed-in session. */
  @SessionOnly()
  @Delete(':id')
  @HttpCode(204)
  revokePersonalToken(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.tokens.revoke(user, id, meta);
  }
}
