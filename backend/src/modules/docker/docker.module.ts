import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { LiveModule } from '../live/live.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { ContainerEventEntity } from './container-event.entity';
import { ContainerEventsService } from './container-events.service';
import { ContainerLogsService } from './container-logs.service';
import { DockerAgentClient } from './docker-agent.client';
import { DockerController } from './docker.controller';
import { DockerService } from './docker.service';

/** Docker through the agents: REST operations, follow-logs over `/live`, container events. */
@Module({
  imports: [TypeOrmModule.forFeature([ContainerEventEntity]), ServersModule, AgentsModule, AuditModule, LiveModule, MetricsModule],
  controllers: [DockerController],
  providers: [DockerAgentClient, DockerService, ContainerEventsService, ContainerLogsService],
  exports: [DockerService, DockerAgentClient],
})
export class DockerModule {}
