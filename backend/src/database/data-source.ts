import { DataSource, DataSourceOptions } from 'typeorm';
import { AlertSilenceEntity } from '../modules/alerts/alert-silence.entity';
import { AlertThresholdEntity } from '../modules/alerts/alert-threshold.entity';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { AuditLogEntity } from '../modules/audit/audit-log.entity';
import { CommandHistoryEntity } from '../modules/commands/command-history.entity';
import { CommandPolicyEntity } from '../modules/commands/command-policy.entity';
import { ConnectionEventEntity } from '../modules/agents/connection-event.entity';
import { ChannelEntity } from '../modules/notifications/channel.entity';
import { RefreshTokenEntity } from '../modules/auth/refresh-token.entity';
import { ServerEntity } from '../modules/servers/server.entity';
import { TerminalSessionEntity } from '../modules/terminal/terminal-session.entity';
import { UserEntity } from '../modules/users/user.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [UserEntity, RefreshTokenEntity, ServerEntity, ApiKeyEntity, AuditLogEntity, ConnectionEventEntity,
  CommandHistoryEntity, CommandPolicyEntity, TerminalSessionEntity, AlertThresholdEntity, AlertSilenceEntity, ChannelEntity];

/** Schema changes go through migrations only: `synchronize` is off everywhere, tests included. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    extra: { max: 20, connectionTimeoutMillis: 5000, application_name: 'chatops' },
  };
}

export const createDataSource = (url: string) => new DataSource(dataSourceOptions(url));
