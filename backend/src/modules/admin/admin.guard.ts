import { applyDecorators, CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiTokenScope } from '../access/api-capability.decorator';
import type { Request } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, isAdmin } from '../../common/decorators';
import { requireTokenScope } from '../personal-tokens/token-scopes';
import { AdminErrorCode, AdminException } from './admin.errors';

/**
 * Instance-admin routes. Runs after the global JWT guard, which attached the user with the role
 * read from the database on this request (a demotion takes effect at once). A personal API token
 * with scopes needs the `admin` scope (403 `token.scope_denied`).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const user = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
    if (!user || !isAdmin(user)) throw new AdminException(AdminErrorCode.AdminRequired, 'Only an administrator may do this');
    // A scoped personal API token reaches the admin's routes only with the `admin` scope.
    requireTokenScope(user, 'admin');
    return true;
  }
}

/** Marks a controller or route as the instance admin's (403 `admin.required` for everybody else). */
export const AdminOnly = () => applyDecorators(UseGuards(AdminGuard), ApiBearerAuth(), ApiErrors(401, 403), ApiTokenScope('admin'));
