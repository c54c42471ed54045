import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { LiveModule } from '../live/live.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ServersModule } from '../servers/servers.module';
import { AlertEngine } from './alert-engine.service';
import { AlertPublisher } from './alert-publisher.service';
import { AlertRuleCache } from './alert-rule-cache.service';
import { AlertSilenceEntity } from './alert-silence.entity';
import { AlertStore } from './alert-store.service';
import { AlertThresholdEntity } from './alert-threshold.entity';
import { AlertsController, SilencesController, ThresholdsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { SilencesService } from './silences.service';
import { ThresholdsService } from './thresholds.service';

/** Alert rules, their evaluation, the alerts' lifecycle and silences (docs/alerts.md). */
@Module({
  imports: [TypeOrmModule.forFeature([AlertThresholdEntity, AlertSilenceEntity]), ServersModule, AuditModule, LiveModule, MetricsModule, NotificationsModule],
  // order matters: the literal paths before `alerts/:id`
  controllers: [ThresholdsController, SilencesController, AlertsController],
  providers: [AlertRuleCache, AlertStore, AlertPublisher, AlertEngine, AlertsService, ThresholdsService, SilencesService],
  // AlertsService and SilencesService: for ChatOps, another door onto the same lifecycle
  exports: [AlertEngine, AlertsService, SilencesService],
})
export class AlertsModule {}
