import { DataSource, DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { AuditLogEntity } from '../modules/audit/audit-log.entity';
import { CommandHistoryEntity } from '../modules/commands/command-history.entity';
import { CommandPolicyEntity } from '../modules/commands/command-policy.entity';
import { ConnectionEventEntity } from '../modules/agents/connection-event.entity';
import { ContainerEventEntity } from '../modules/docker/container-event.entity';
import { RefreshTokenEntity } from '../modules/auth/refresh-token.entity';
import { ServerEntity } from '../modules/servers/server.entity';
import { TerminalSessionEntity } from '../modules/terminal/terminal-session.entity';
import { UserEntity } from '../modules/users/user.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [UserEntity, RefreshTokenEntity, ServerEntity, ApiKeyEntity, AuditLogEntity, ConnectionEventEntity,
  CommandHistoryEntity, CommandPolicyEntity, TerminalSessionEntity, ContainerEventEntity];

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
