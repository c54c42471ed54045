import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import {
  TEAM_MEMBER_SOURCES, TEAM_ROLES, type TeamMemberSource, type AddTeamMemberRequest, type ChangeTeamMemberRequest, type CreateTeamRequest, type MoveServerRequest,
  type RenameTeamRequest, type Team, type TeamMember, type TeamRole,
} from '@chatops/protocol';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTeamDto implements CreateTeamRequest {
  /** Display name, 1–100 characters. */
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name: string;
}

export class RenameTeamDto implements RenameTeamRequest {
  /** Display name, 1–100 characters. */
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name: string;
}

export class AddTeamMemberDto implements AddTeamMemberRequest {
  /** The user's username or email address. */
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(254) user: string;
  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES) role: TeamRole;
}

export class ChangeTeamMemberDto implements ChangeTeamMemberRequest {
  @ApiProperty({ enum: TEAM_ROLES })
  @IsIn(TEAM_ROLES) role: TeamRole;
}

export class MoveServerDto implements MoveServerRequest {
  /** The team to move the server to (you must be its admin); null: to you personally. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  @ValidateIf((_, v) => v !== null) @IsUUID() teamId: string | null;
}

export class TeamResponse implements Team {
  id: string;
  name: string;
  /** Your role; null when an instance admin reads a team they are not in. */
  @ApiProperty({ enum: TEAM_ROLES, nullable: true })
  role: TeamRole | null;
  memberCount: number;
  serverCount: number;
  createdAt: string;
  updatedAt: string;
}

export class TeamMemberResponse implements TeamMember {
  userId: string;
  username: string;
  fullName: string | null;
  @ApiProperty({ enum: TEAM_ROLES })
  role: TeamRole;
  /** `oidc`: granted by the single sign-on team mapping, which changes or removes it as the person's groups change; `manual` otherwise. */
  @ApiProperty({ enum: TEAM_MEMBER_SOURCES })
  source: TeamMemberSource;
  addedAt: string;
}
