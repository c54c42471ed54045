import { DataSource, DataSourceOptions } from 'typeorm';
import { AlertSilenceEntity } from '../modules/alerts/alert-silence.entity';
import { AlertThresholdEntity } from '../modules/alerts/alert-threshold.entity';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity';
import { AuditLogEntity } from '../modules/audit/audit-log.entity';
import { CommandHistoryEntity } from '../modules/commands/command-history.entity';
import { CommandPolicyEntity } from '../modules/commands/command-policy.entity';
import { ConnectionEventEntity } from '../modules/agents/connection-event.entity';
import { ChannelEntity } from '../modules/notifications/channel.entity';
import { ChatMessageEntity } from '../modules/chatops/chat-message.entity';
import { ContainerEventEntity } from '../modules/docker/container-event.entity';
import { RefreshTokenEntity } from '../modules/auth/refresh-token.entity';
import { ServerEntity } from '../modules/servers/server.entity';
import { TerminalSessionEntity } from '../modules/terminal/terminal-session.entity';
import { UserEntity } from '../modules/users/user.entity';
import { MIGRATIONS } from './migrations';
import { PersonalTokenEntity } from '../modules/personal-tokens/personal-token.entity';
import { UserIdentityEntity } from '../modules/auth/oidc/user-identity.entity';

export const ENTITIES = [UserEntity, RefreshTokenEntity, ServerEntity, ApiKeyEntity, AuditLogEntity, ConnectionEventEntity,
  CommandHistoryEntity, CommandPolicyEntity, TerminalSessionEntity, AlertThresholdEntity, AlertSilenceEntity, ChannelEntity,
  ContainerEventEntity, ChatMessageEntity, PersonalTokenEntity, UserIdentityEntity];

/** Name of the second, small connection pool for long maintenance statements (rollups, retention, migrations). */
export const MAINTENANCE_DB = 'maintenance';
/** Longest a maintenance statement may run (a rollup catch-up chunk over a large fleet, a migration). */
export const MAINTENANCE_STATEMENT_TIMEOUT_MS = 30 * 60_000;
/** A server that does not answer at all is given up this long after its own statement timeout would have fired. */
const CLIENT_GRACE_MS = 1000;

export interface DbLimits {
  /** Connecting, and waiting for a free pooled connection. */
  connectTimeoutMs: number;
  /** One statement: PostgreSQL cancels it (statement_timeout); the client gives up shortly after. */
  queryTimeoutMs: number;
}

/**
 * Schema changes go through migrations only: `synchronize` is off everywhere, tests included.
 * With `limits`, nothing waits for PostgreSQL longer than them: a stopped, frozen or unreachable
 * server turns into an error (then a 503) instead of a request that hangs.
 */
export function dataSourceOptions(url: string, limits?: DbLimits): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    extra: {
      max: 20,
      application_name: 'chatops',
      keepAlive: true,
      connectionTimeoutMillis: limits?.connectTimeoutMs ?? 5000,
      ...(limits ? { statement_timeout: limits.queryTimeoutMs, query_timeout: limits.queryTimeoutMs + CLIENT_GRACE_MS } : {}),
    },
  };
}

/** The maintenance pool: two connections, long statements allowed, migrations run through it. */
export function maintenanceDataSourceOptions(url: string, connectTimeoutMs: number): DataSourceOptions {
  return {
    ...dataSourceOptions(url, { connectTimeoutMs, queryTimeoutMs: MAINTENANCE_STATEMENT_TIMEOUT_MS }),
    name: MAINTENANCE_DB,
    entities: [],
    extra: {
      max: 2,
      application_name: 'chatops-maintenance',
      keepAlive: true,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: MAINTENANCE_STATEMENT_TIMEOUT_MS,
      query_timeout: MAINTENANCE_STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS,
    },
  };
}

export const createDataSource = (url: string) => new DataSource(dataSourceOptions(url));

/** Where a PostgreSQL URL points, without its password: for logs and messages. */
export function databaseTarget(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
