import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { AccessChangeRelay } from './access-change-relay.service';
import { FleetStream } from './fleet-stream.service';
import { LiveEvents } from './live-events';
import { LiveGateway } from './live.gateway';
import { LiveService } from './live.service';

/** The browsers' live channel (`/live`): per-server streams and the fleet overview. */
@Module({
  imports: [AuthModule, ServersModule, MetricsModule],
  providers: [LiveService, FleetStream, LiveEvents, LiveGateway, AccessChangeRelay],
  exports: [LiveService, FleetStream, LiveEvents],
})
export class LiveModule {}
