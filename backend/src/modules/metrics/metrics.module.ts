import { Module } from '@nestjs/common';
import { ServersModule } from '../servers/servers.module';
import { LatestSamples } from './latest-samples.service';
import { MetricsController } from './metrics.controller';
import { MetricsHistoryService } from './metrics-history.service';
import { MetricsIngestService } from './metrics-ingest.service';

@Module({
  imports: [ServersModule],
  controllers: [MetricsController],
  providers: [MetricsIngestService, LatestSamples, MetricsHistoryService],
  exports: [MetricsIngestService, LatestSamples],
})
export class MetricsModule {}
