import { DynamicModule, Logger, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { createFormBodyMiddleware, createJsonBodyMiddleware, FORM_BODY_ROUTES } from './common/body-parser.middleware';
import { loggerParams } from './common/logging';
import { AppConfig } from './config/config';
import { CoreModule } from './core.module';
import { DataSource } from 'typeorm';
import { runMigrationsExclusively } from './database/cluster-lock';
import { dataSourceOptions, MAINTENANCE_DB, maintenanceDataSourceOptions } from './database/data-source';
import { lowerMaintenancePriority } from './database/maintenance-priority';
import { AdminModule } from './modules/admin/admin.module';
import { AccessModule } from './modules/access/access.module';
import { AgentsModule } from './modules/agents/agents.module';
import { AlertsModule } from './modules/alerts/alerts.module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AuditHttpModule } from './modules/audit/audit-http.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { ChatopsModule } from './modules/chatops/chatops.module';
import { CommandsModule } from './modules/commands/commands.module';
import { DockerModule } from './modules/docker/docker.module';
import { HealthModule } from './modules/health/health.module';
import { LiveModule } from './modules/live/live.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { ServersModule } from './modules/servers/servers.module';
import { TeamsModule } from './modules/teams/teams.module';
import { TerminalModule } from './modules/terminal/terminal.module';
import { UsersModule } from './modules/users/users.module';

@Module({})
export class AppModule implements NestModule {
  private static bodyLimit = 1024 * 1024;

  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('databaseUrl must be resolved before the app module is built');
    AppModule.bodyLimit = config.bodyLimitBytes;
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        EventEmitterModule.forRoot(),
        ScheduleModule.forRoot(),
        // Migrations run on the maintenance pool (no short statement timeout); the request pool is
        // built once they are done (its factory depends on the maintenance data source).
        // Migrations under an advisory lock: several instances starting together apply each once.
        TypeOrmModule.forRootAsync({
          name: MAINTENANCE_DB,
          useFactory: () => ({ ...maintenanceDataSourceOptions(config.databaseUrl!, config.db.connectTimeoutMs), migrationsTransactionMode: 'each' }),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            try {
              await runMigrationsExclusively(ds);
            } catch (err) {
              await ds.destroy().catch(() => undefined);
              throw err;
            }
            // Only after the migrations: other instances starting now wait on their lock.
            lowerMaintenancePriority(ds, (msg) => new Logger('Database').warn(msg));
            return ds;
          },
        }),
        TypeOrmModule.forRootAsync({
          inject: [getDataSourceToken(MAINTENANCE_DB)],
          useFactory: () => dataSourceOptions(config.databaseUrl!, config.db),
        }),
        HealthModule,
        AuditModule,
        AccessModule,
        UsersModule,
        AuthModule,
        TeamsModule,
        ServersModule,
        ApiKeysModule,
        AuditHttpModule,
        MetricsModule,
        AgentsModule,
        LiveModule,
        CommandsModule,
        TerminalModule,
        NotificationsModule,
        AlertsModule,
        DockerModule,
        ChatopsModule,
        AdminModule,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const forms = FORM_BODY_ROUTES.map((path) => ({ path, method: RequestMethod.POST }));
    consumer.apply(createFormBodyMiddleware(AppModule.bodyLimit)).forRoutes(...forms);
    consumer.apply(createJsonBodyMiddleware(AppModule.bodyLimit)).exclude(...forms).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
