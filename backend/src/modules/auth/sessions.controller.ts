import { Controller, createParamDecorator, Delete, ExecutionContext, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { UuidPipe } from '../../common/uuid.pipe';
import { RevokedSessionsResponse, UserSessionResponse } from './dto/sessions.response';
import { SessionsService } from './sessions.service';

/** The session (refresh-token family) of the request's access token, as the JWT strategy attached it. */
const CurrentSessionId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const user = ctx.switchToHttp().getRequest<Request & { user?: { sid?: unknown } }>().user;
  return typeof user?.sid === 'string' ? user.sid : undefined;
});

/** The signed-in user's sessions (Profile → Sessions). */
@ApiTags('auth')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** Your sessions that can still be renewed, most recently used first; `current` marks this one. */
  @Get()
  listSessions(@CurrentUser() user: AuthUser, @CurrentSessionId() sid: string | undefined): Promise<UserSessionResponse[]> {
    return this.sessions.list(user.id, sid);
  }

  /** Signs out every session but this one (their live sockets close at once). Audited. */
  @Post('revoke-others')
  @HttpCode(200)
  async revokeOtherSessions(@CurrentUser() user: AuthUser, @CurrentSessionId() sid: string | undefined, @ReqMeta() meta: RequestMeta): Promise<RevokedSessionsResponse> {
    return { revoked: await this.sessions.revokeOthers(user.id, sid, meta) };
  }

  /** Signs out one of your sessions (404 when it is not yours or already over). Audited. */
  @ApiErrors(404)
  @Delete(':id')
  @HttpCode(204)
  async revokeSession(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.sessions.revoke(user.id, id, meta);
  }
}
