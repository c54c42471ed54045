import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { TeamInviteLinksController, TeamInvitesController } from './team-invites.controller';
import { TeamInvitesService } from './team-invites.service';
import { TeamsController } from './teams.controller';
import { OidcTeamSyncService } from './oidc-team-sync.service';
import { TeamsService } from './teams.service';

@Module({
  imports: [UsersModule, AuditModule],
  controllers: [TeamsController, TeamInvitesController, TeamInviteLinksController],
  providers: [TeamsService, TeamInvitesService, OidcTeamSyncService],
  exports: [TeamsService],
})
export class TeamsModule {}
