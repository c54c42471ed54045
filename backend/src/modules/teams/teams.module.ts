import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { TeamsController } from './teams.controller';
import { OidcTeamSyncService } from './oidc-team-sync.service';
import { TeamsService } from './teams.service';

@Module({
  imports: [UsersModule, AuditModule],
  controllers: [TeamsController],
  providers: [TeamsService, OidcTeamSyncService],
  exports: [TeamsService],
})
export class TeamsModule {}
