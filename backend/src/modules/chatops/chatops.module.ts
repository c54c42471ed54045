import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { AlertsModule } from '../alerts/alerts.module';
import { AuthModule } from '../auth/auth.module';
import { LiveModule } from '../live/live.module';
import { AuditModule } from '../audit/audit.module';
import { CommandsModule } from '../commands/commands.module';
import { DockerModule } from '../docker/docker.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { ChatConfirmations } from './chat-confirmations.service';
import { ChatExecutor } from './chat-executor.service';
import { FleetReplies } from './chat-fleet-replies.service';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatRateLimiter } from './chat-rate-limit.service';
import { ChatSettingsService } from './chat-settings.service';
import { ChatStreams } from './chat-streams.service';
import { ChatTargets } from './chat-targets.service';
import { ChatopsController } from './chatops.controller';
import { ChatopsService } from './chatops.service';
import { ChatDoorsController } from './doors/chat-doors.controller';
import { MattermostTokenGuard, SlackSignatureGuard } from './doors/chat-door.guards';
import { ChatDoor } from './doors/chat-door.service';
import { CHAT_SECRET_BOX, ChatIntegrations } from './doors/chat-integrations.service';
import { ChatIntegrationsController } from './doors/chat-integrations.controller';
import { ChatLinks } from './doors/chat-links.service';
import { ChatLinksController } from './doors/chat-links.controller';
import { MattermostDoor } from './doors/mattermost-door.service';
import { ReplayGuard } from './doors/replay-guard.service';
import { ResponseUrlPoster } from './doors/response-url-poster.service';
import { SlackDoor } from './doors/slack-door.service';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { SecretBox } from '../notifications/secret-box';

/**
 * ChatOps: one command language over the same services as REST (docs/chatops.md). This module is
 * the language, its REST door, and the chat doors (doors/: Slack, Mattermost) that call
 * ChatopsService.handle with their channel for the linked account.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ChatMessageEntity]), ServersModule, MetricsModule, CommandsModule, DockerModule, AlertsModule, AuditModule,
    AgentsModule, LiveModule, AuthModule],
  controllers: [ChatopsController, ChatDoorsController, ChatLinksController, ChatIntegrationsController],
  providers: [
    ChatopsService, ChatExecutor, FleetReplies, ChatTargets, ChatConfirmations, ChatSettingsService, ChatStreams, ChatRateLimiter,
    // The doors (docs/chatops.md, "Slack and Mattermost").
    { provide: CHAT_SECRET_BOX, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new SecretBox(c.notify.secretKey ?? c.jwtSecret, 'chat integration secrets v1') },
    ChatDoor, ChatLinks, ChatIntegrations, ReplayGuard, SlackDoor, ResponseUrlPoster, MattermostDoor, SlackSignatureGuard, MattermostTokenGuard,
  ],
  exports: [ChatopsService],
})
export class ChatopsModule {}
