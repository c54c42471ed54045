import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ServersModule } from '../servers/servers.module';
import { FleetStream } from './fleet-stream.service';
import { LiveGateway } from './live.gateway';
import { LiveService } from './live.service';

/** The browsers' live channel (`/live`): per-server streams and the fleet overview. */
@Module({
  imports: [AuthModule, ServersModule, MetricsModule],
  providers: [LiveService, FleetStream, LiveGateway],
  exports: [LiveService, FleetStream],
})
export class LiveModule {}
