import { Injectable } from '@nestjs/common';
import type { AdminBulkAction, AdminBulkResponse, AdminBulkResult, AdminUser } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { DomainException } from '../../common/domain-exception';
import { AdminUsersService } from './admin-users.service';

/**
 * One action on several users (the users page's selection). Each user goes through the same
 * service method, rules and audit entry as the single-user route, one after the other; a user the
 * rules refuse (yourself, the last admin, an unknown id) is reported in its result and does not stop
 * the others. Anything else (the database failing) ends the request with its error, like every other route.
 */
@Injectable()
export class AdminUsersBulkService {
  constructor(private readonly users: AdminUsersService) {}

  async run(actor: AuthUser, action: AdminBulkAction, userIds: string[], meta: RequestMeta): Promise<AdminBulkResponse> {
    const results: AdminBulkResult[] = [];
    for (const userId of new Set(userIds)) {
      try {
        results.push({ userId, ok: true, user: await this.apply(actor, action, userId, meta) });
      } catch (err) {
        if (!(err instanceof DomainException)) throw err;
        results.push({ userId, ok: false, code: err.code, message: err.message });
      }
    }
    return { action, results };
  }

  private apply(actor: AuthUser, action: AdminBulkAction, id: string, meta: RequestMeta): Promise<AdminUser> {
    switch (action) {
      case 'disable': return this.users.disable(actor, id, meta);
      case 'enable': return this.users.enable(actor, id, meta);
      case 'revoke_sessions': return this.users.revokeSessions(actor, id, meta);
    }
  }
}
