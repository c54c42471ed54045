import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { AuthUser, CurrentUser, ReqMeta, RequestMeta } from '../../common/decorators';
import { UuidPipe } from '../../common/uuid.pipe';
import { ApiTokenScope } from '../access/api-capability.decorator';
import { AddTeamMemberDto, ChangeTeamMemberDto, CreateTeamDto, RenameTeamDto, TeamMemberResponse, TeamResponse } from './dto/team.dto';
import { TeamsService } from './teams.service';

@ApiTags('teams')
@ApiErrors(400, 401, 403, 404, 409, 413)
@ApiBearerAuth()
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  /** Teams you are a member of, with your role (the instance admin: every team). */
  @Get()
  listTeams(@CurrentUser() user: AuthUser): Promise<TeamResponse[]> {
    return this.teams.list(user);
  }

  /** Creates a team; you become its admin. */
  @ApiTokenScope('members.manage')
  @Post()
  createTeam(@CurrentUser() user: AuthUser, @Body() dto: CreateTeamDto, @ReqMeta() meta: RequestMeta): Promise<TeamResponse> {
    return this.teams.create(user, dto.name, meta);
  }

  /** One of your teams (404 when it does not exist or you are not a member). */
  @Get(':id')
  getTeam(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<TeamResponse> {
    return this.teams.get(user, id);
  }

  /** Renames the team (team admins). */
  @ApiTokenScope('members.manage')
  @Put(':id')
  renameTeam(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: RenameTeamDto, @ReqMeta() meta: RequestMeta): Promise<TeamResponse> {
    return this.teams.rename(user, id, dto.name, meta);
  }

  /** Deletes the team (team admins); 409 `team.has_servers` while it holds servers. */
  @ApiTokenScope('members.manage')
  @Delete(':id')
  @HttpCode(204)
  deleteTeam(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.teams.remove(user, id, meta);
  }

  /** The team's members, admins first. */
  @Get(':id/members')
  listTeamMembers(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string): Promise<TeamMemberResponse[]> {
    return this.teams.members(user, id);
  }

  /** Adds a user by username or email with a role (team admins). */
  @ApiTokenScope('members.manage')
  @Post(':id/members')
  addTeamMember(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @Body() dto: AddTeamMemberDto, @ReqMeta() meta: RequestMeta): Promise<TeamMemberResponse> {
    return this.teams.addMember(user, id, dto.user, dto.role, meta);
  }

  /** Changes a member's role (team admins); 409 `team.last_admin` when it would leave no admin. */
  @ApiTokenScope('members.manage')
  @Put(':id/members/:userId')
  changeTeamMember(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() dto: ChangeTeamMemberDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<TeamMemberResponse> {
    return this.teams.changeMember(user, id, userId, dto.role, meta);
  }

  /** Removes a member (team admins); 409 `team.last_admin` for the last admin. */
  @ApiTokenScope('members.manage')
  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeTeamMember(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.teams.removeMember(user, id, userId, meta);
  }

  /** Leaves the team; 409 `team.last_admin` for its last admin. */
  @ApiTokenScope('members.manage')
  @Post(':id/leave')
  @HttpCode(204)
  leaveTeam(@CurrentUser() user: AuthUser, @Param('id', UuidPipe) id: string, @ReqMeta() meta: RequestMeta): Promise<void> {
    return this.teams.leave(user, id, meta);
  }
}
