import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  TEAM_INVITE_MAX_DAYS, TEAM_INVITE_MAX_USES, TEAM_ROLES,
  type AcceptedTeamInvite, type CreatedTeamInvite, type CreateTeamInviteRequest, type TeamInvite, type TeamInvitePreview, type TeamRole,
} from '@chatops/protocol';

export class CreateTeamInviteDto implements CreateTeamInviteRequest {
  /** The role a user who accepts gets. */
  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES) role: TeamRole;
  /** Days until the link stops working: 1–30, default 7. */
  @IsOptional() @IsInt() @Min(1) @Max(TEAM_INVITE_MAX_DAYS) expiresInDays?: number;
  /** How many people may join with it: 1–100, default 1. */
  @IsOptional() @IsInt() @Min(1) @Max(TEAM_INVITE_MAX_USES) maxUses?: number;
}

export class TeamInviteResponse implements TeamInvite {
  id: string;
  teamId: string;
  @ApiProperty({ enum: TEAM_ROLES }) role: TeamRole;
  expiresAt: string;
  maxUses: number;
  uses: number;
  @ApiProperty({ type: String, nullable: true }) createdBy: string | null;
  createdAt: string;
}

export class CreatedTeamInviteResponse extends TeamInviteResponse implements CreatedTeamInvite {
  /** The secret for the link `/teams/join/<token>`. Shown in this response only: copy it now. */
  token: string;
}

export class TeamInvitePreviewResponse implements TeamInvitePreview {
  teamId: string;
  teamName: string;
  @ApiProperty({ enum: TEAM_ROLES }) role: TeamRole;
  expiresAt: string;
}

export class AcceptedTeamInviteResponse implements AcceptedTeamInvite {
  teamId: string;
  teamName: string;
  @ApiProperty({ enum: TEAM_ROLES }) role: TeamRole;
}
