import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { LiveModule } from '../live/live.module';
import { ServersModule } from '../servers/servers.module';
import { CommandHistoryEntity } from './command-history.entity';
import { CommandPolicyEntity } from './command-policy.entity';
import { CommandPolicyService } from './command-policy.service';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';

/** Remote commands: REST, the per-server policy, history, live output. */
@Module({
  imports: [TypeOrmModule.forFeature([CommandHistoryEntity, CommandPolicyEntity]), ServersModule, AgentsModule, AuditModule, LiveModule],
  controllers: [CommandsController],
  providers: [CommandsService, CommandPolicyService],
  exports: [CommandsService],
})
export class CommandsModule {}
