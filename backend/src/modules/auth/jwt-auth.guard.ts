import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { isReadOnlyScopes } from '@chatops/protocol';
import type { Request } from 'express';
import { AuthUser, IS_PUBLIC, PASSWORD_CHANGE_ALLOWED, SESSION_ONLY } from '../../common/decorators';
import { isPersonalTokenHeader, PersonalTokensService } from '../personal-tokens/personal-tokens.service';
import { PersonalTokenErrorCode, PersonalTokenException } from '../personal-tokens/personal-tokens.errors';
import { AuthErrorCode, AuthException } from './auth.errors';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Global guard: every route needs a valid access token unless it is marked @Public(). A personal
 * API token (`Authorization: Bearer cop_…`) is accepted in its place, except on @SessionOnly()
 * routes; a read-only token (only read capabilities as scopes) may only read. Finer checks:
 * `AccessService` (server capabilities), `AdminGuard` (the `admin` scope), `TeamsService` (`members.manage`).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector, private readonly personalTokens: PersonalTokensService) {
    super();
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    if (!isPersonalTokenHeader(req.headers.authorization)) {
      const ok = (await super.canActivate(ctx)) as boolean;
      this.requirePasswordChanged(req.user, targets);
      return ok;
    }
    const user = await this.personalTokens.authenticate(req.headers.authorization);
    this.requirePasswordChanged(user, targets);
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY, targets)) {
      throw new PersonalTokenException(PersonalTokenErrorCode.SessionRequired, 'This action needs a signed-in session, not a personal API token');
    }
    if (isReadOnlyScopes(user.token?.scopes ?? []) && !READ_METHODS.has(req.method)) {
      throw new PersonalTokenException(PersonalTokenErrorCode.ScopeDenied, 'This personal API token is read-only');
    }
    req.user = user;
    return true;
  }

  /** A temporary password (set by an admin) must be changed before anything but the routes marked PasswordChangeAllowed. */
  private requirePasswordChanged(user: AuthUser | undefined, targets: Parameters<Reflector['getAllAndOverride']>[1]): void {
    if (!user?.mustChangePassword) return;
    if (this.reflector.getAllAndOverride<boolean>(PASSWORD_CHANGE_ALLOWED, targets)) return;
    throw new AuthException(AuthErrorCode.PasswordChangeRequired, 'Choose a new password first: an administrator set a temporary one');
  }

  /**
   * `err` is set only when validating the token's session failed (passport reports a bad token
   * through `info`): a revoked session (`auth.session_revoked`, 401) or the database being unavailable, which
   * must reach the global filter as such (503), never turn into a 401 that signs the user out.
   */
  handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err) throw err;
    if (!user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw expired
        ? new AuthException(AuthErrorCode.TokenExpired, 'Access token expired')
        : new AuthException(AuthErrorCode.Unauthenticated, 'Missing or invalid access token');
    }
    return user;
  }
}
