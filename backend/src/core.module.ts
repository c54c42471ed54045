import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './config/config';
import { EventBus } from './events';
import { SharedRedis } from './common/shared-redis.service';
import { DrainState } from './common/drain-state';

/** Process-wide providers: the validated config, the typed event bus and the shared Redis connection. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, EventBus, SharedRedis, DrainState],
      exports: [APP_CONFIG, EventBus, SharedRedis, DrainState],
    };
  }
}
