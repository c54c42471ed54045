import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../../common/decorators';
import { unauthorized } from '../../common/errors';

/** Global guard: every route needs a valid access token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(ctx: ExecutionContext) {
    if (ctx.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    return isPublic ? true : super.canActivate(ctx);
  }

  /**
   * `err` is set only when validating the token's session failed (passport reports a bad token
   * through `info`): a revoked session (an AppError 401) or the database being unavailable, which
   * must reach the global filter as such (503), never turn into a 401 that signs the user out.
   */
  handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err) throw err;
    if (!user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw expired
        ? unauthorized('auth.token_expired', 'Access token expired')
        : unauthorized('auth.unauthenticated', 'Missing or invalid access token');
    }
    return user;
  }
}
