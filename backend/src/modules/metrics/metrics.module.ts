import { Module } from '@nestjs/common';
import { ServersModule } from '../servers/servers.module';
import { LatestSamples } from './latest-samples.service';
import { MetricsController } from './metrics.controller';
import { MetricsHistoryService } from './metrics-history.service';
import { MetricsIngestService } from './metrics-ingest.service';
import { MetricsRollupService } from './metrics-rollup.service';

@Module({
  imports: [ServersModule],
  controllers: [MetricsController],
  providers: [MetricsIngestService, LatestSamples, MetricsHistoryService, MetricsRollupService],
  exports: [MetricsIngestService, LatestSamples, MetricsRollupService, MetricsHistoryService],
})
export class MetricsModule {}
