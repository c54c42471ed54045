import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { CommandsModule } from '../commands/commands.module';
import { DockerModule } from '../docker/docker.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { ChatConfirmations } from './chat-confirmations.service';
import { ChatExecutor } from './chat-executor.service';
import { FleetReplies } from './chat-fleet-replies.service';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatSettingsService } from './chat-settings.service';
import { ChatTargets } from './chat-targets.service';
import { ChatopsController } from './chatops.controller';
import { ChatopsService } from './chatops.service';

/**
 * ChatOps: one command language over the same services as REST (docs/chatops.md). This module is
 * the language and its REST door; chat doors (Slack, Mattermost) call ChatopsService.handle with
 * their channel.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ChatMessageEntity]), ServersModule, MetricsModule, CommandsModule, DockerModule, AlertsModule, AuditModule],
  controllers: [ChatopsController],
  providers: [ChatopsService, ChatExecutor, FleetReplies, ChatTargets, ChatConfirmations, ChatSettingsService],
  exports: [ChatopsService],
})
export class ChatopsModule {}
