import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { AgentManager } from './agent-manager.service';
import { AgentsGateway } from './agents.gateway';
import { ConnectionEventEntity } from './connection-event.entity';
import { ConnectionEventsRetention } from './connection-events-retention.service';
import { HandshakeFailures } from './handshake-failures.service';
import { InstancePresence } from './instance-presence.service';

@Module({
  imports: [TypeOrmModule.forFeature([ConnectionEventEntity]), ServersModule, ApiKeysModule, MetricsModule],
  providers: [AgentManager, AgentsGateway, HandshakeFailures, ConnectionEventsRetention, InstancePresence],
  exports: [AgentManager, InstancePresence],
})
export class AgentsModule {}
