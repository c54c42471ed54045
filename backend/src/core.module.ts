import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './config/config';
import { EventBus } from './events';

/** Process-wide providers: the validated config and the typed event bus. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, EventBus],
      exports: [APP_CONFIG, EventBus],
    };
  }
}
