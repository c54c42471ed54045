import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, NoStore, ReqMeta, RequestMeta, SessionOnly } from '../../common/decorators';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiCapability, ApiTokenScope } from '../access/api-capability.decorator';
import { AcceptedTeamInviteResponse, CreatedTeamInviteResponse, CreateTeamInviteDto, TeamInvitePreviewResponse, TeamInviteResponse } from './dto/team-invite.dto';
import { TeamInvitesService } from './team-invites.service';

/** A team's invite links, managed by its admins (capability `members.manage` in the team). */
@ApiTags('teams')
@ApiErrors(400, 401, 403, 404, 413)
@ApiBearerAuth()
@Controller('teams/:id/invites')
export class TeamInvitesController {
  constructor(private readonly invites: TeamInvitesService) {}

  /** Creates an invite link (role, 1–30 days, 1–100 uses); the secret is in this response only. Team admins. */
  @ApiCapability('members.manage')
  @ApiTokenScope('members.manage')
  @NoStore()
  @Post()
  createTeamInvite(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: CreateTeamInviteDto, @ReqMeta() meta: RequestMeta): Promise<CreatedTeamInviteResponse> {
    return this.invites.create(user, id, dto, meta);
  }

  /** The team's invite links that can still be used, newest first, without the secret. Team admins. */
  @ApiCapability('members.manage')
  @ApiTokenScope('members.manage')
  @Get()
  listTeamInvites(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<TeamInviteResponse[]> {
    return this.invites.list(user, id);
  }

  /** Revokes an invite link: it stops working at once (410 `team.invite_revoked`). Team admins. */
  @ApiCapability('members.manage')
  @ApiTokenScope('members.manage')
  @Delete(':inviteId')
  @HttpCode(204)
  revokeTeamInvite(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Param('inviteId', UuidPipe) inviteId: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.invites.revoke(user, id, inviteId, meta);
  }
}

/** Opening and accepting an invite link (`/teams/join/<token>` in the dashboard): any signed-in user. */
@ApiTags('teams')
@ApiErrors(401, 403, 404, 409, 410)
@ApiBearerAuth()
@Controller('team-invites')
export class TeamInviteLinksController {
  constructor(private readonly invites: TeamInvitesService) {}

  /** The team and role an invite link leads to; 404 `team.invite_not_found`, 410 when expired, revoked or used up. */
  @Get(':token')
  previewTeamInvite(@Param('token') token: string): Promise<TeamInvitePreviewResponse> {
    return this.invites.preview(token);
  }

  /** Joins the team with the invite's role; 409 `team.already_member`. Needs a signed-in session (not a personal token). */
  @SessionOnly()
  @Post(':token/accept')
  acceptTeamInvite(@CurrentUser() user: AuthUser, @Param('token') token: string, @ReqMeta() meta: RequestMeta): Promise<AcceptedTeamInviteResponse> {
    return this.invites.accept(user, token, meta);
  }
}
