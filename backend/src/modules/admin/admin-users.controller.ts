import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, NoStore, ReqMeta, RequestMeta } from '../../common/decorators';
import { AuthRateLimit } from '../auth/auth-rate-limit';
import { UuidPipe } from '../../common/uuid.pipe';
import { AdminOnly } from './admin.guard';
import { AdminUsersService } from './admin-users.service';
import { AdminUsersBulkService } from './admin-users-bulk.service';
import { AdminBulkDto, AdminUserQueryDto, ResetPasswordDto, SetRoleDto } from './dto/admin-users.dto';
import { AdminBulkResponseDto, AdminUserPageResponse, AdminUserResponse, PasswordResetLinkResponse } from './dto/admin-users.response';

/** Users of the instance (instance admin only). Every change is audited. */
@ApiTags('admin')
@AdminOnly()
@ApiErrors(400)
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService, private readonly bulk: AdminUsersBulkService) {}

  /** Users, oldest first, with role, state, last sign-in, server and session counts; `q` searches name and email. */
  @Get()
  listUsers(@Query() q: AdminUserQueryDto): Promise<AdminUserPageResponse> {
    return this.users.list(q);
  }

  /**
   * One action (`disable`, `enable`, `revoke_sessions`) on 1–200 users, each on its own: the same
   * rules and audit entry as the single-user routes, and a result per user (`ok` with the user's new
   * state, or the refusal's `code` and `message`); one refusal (yourself, the last admin, an unknown
   * id) does not stop the others. Declared before `:id` routes.
   */
  @Post('bulk')
  @HttpCode(200)
  bulkUsers(@CurrentUser() actor: AuthUser, @Body() dto: AdminBulkDto, @ReqMeta() meta: RequestMeta): Promise<AdminBulkResponseDto> {
    return this.bulk.run(actor, dto.action, dto.userIds, meta);
  }

  /**
   * Disables the account: its sessions and live sockets end at once, sign-in and refresh answer 403
   * `auth.user_disabled`. Never yourself (403 `admin.self_action`) nor the last active admin (409).
   */
  @ApiErrors(404, 409)
  @Post(':id/disable')
  @HttpCode(200)
  disableUser(@CurrentUser() actor: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<AdminUserResponse> {
    return this.users.disable(actor, id, meta);
  }

  /** Enables a disabled account (the user signs in again). */
  @ApiErrors(404)
  @Post(':id/enable')
  @HttpCode(200)
  enableUser(@CurrentUser() actor: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<AdminUserResponse> {
    return this.users.enable(actor, id, meta);
  }

  /** Promotes to `admin` or demotes to `user`; never the last active admin (409 `admin.last_admin`). */
  @ApiErrors(404, 409)
  @Put(':id/role')
  setUserRole(@CurrentUser() actor: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: SetRoleDto, @ReqMeta() meta: RequestMeta): Promise<AdminUserResponse> {
    return this.users.setRole(actor, id, dto.role, meta);
  }

  /**
   * Sets a temporary password to hand to the user; all of the user's sessions end, and the user must
   * choose a new password at the next sign-in (until then other routes answer 403 `auth.password_change_required`).
   * Never yourself (403 `admin.self_action`). Rate limited per client IP, as login.
   */
  @ApiErrors(404)
  @AuthRateLimit('credentials')
  @NoStore()
  @Post(':id/reset-password')
  @HttpCode(200)
  resetUserPassword(@CurrentUser() actor: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: ResetPasswordDto, @ReqMeta() meta: RequestMeta): Promise<AdminUserResponse> {
    return this.users.resetPassword(actor, id, dto.password, meta);
  }

  /**
   * A one-time password reset link for the user (the token is in this answer only; valid 1 hour;
   * replaces an earlier open link). The user opens `/reset-password/<token>` and picks a password
   * without signing in; all their sessions then end. Never yourself (403 `admin.self_action`).
   */
  @ApiErrors(404)
  @AuthRateLimit('credentials')
  @NoStore()
  @Post(':id/reset-link')
  createResetLink(@CurrentUser() actor: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<PasswordResetLinkResponse> {
    return this.users.createResetLink(actor, id, meta);
  }
}
