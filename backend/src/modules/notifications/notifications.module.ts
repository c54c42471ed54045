import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AuditModule } from '../audit/audit.module';
import { ChannelEntity } from './channel.entity';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { DeliveryLog } from './delivery-log.service';
import { NotificationQueue } from './notification-queue.service';
import { Notifier } from './notifier.service';
import { SECRET_BOX, SecretBox } from './secret-box';

/** Notification channels and the delivery of alert changes to them (docs/alerts.md). */
@Module({
  imports: [TypeOrmModule.forFeature([ChannelEntity]), AuditModule],
  controllers: [ChannelsController],
  providers: [
    { provide: SECRET_BOX, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.notify.secretKey ?? config.jwtSecret) },
    ChannelsService, DeliveryLog, NotificationQueue, Notifier,
  ],
  exports: [ChannelsService, DeliveryLog],
})
export class NotificationsModule {}
