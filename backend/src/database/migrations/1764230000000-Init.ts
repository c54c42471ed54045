import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, refresh tokens, servers, API keys, connection events and the audit log. */
export class Init1764230000000 implements MigrationInterface {
  name = 'Init1764230000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email               varchar(254) NOT NULL,
        username            varchar(64)  NOT NULL,
        full_name           varchar(200),
        password_hash       text         NOT NULL,
        role                varchar(16)  NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
        password_changed_at timestamptz  NOT NULL DEFAULT now(),
        created_at          timestamptz  NOT NULL DEFAULT now(),
        updated_at          timestamptz  NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE UNIQUE INDEX users_username_key ON users (lower(username));

      CREATE TABLE refresh_tokens (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family_id   uuid        NOT NULL,
        token_hash  char(64)    NOT NULL UNIQUE,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        revoked_at  timestamptz,
        ip          varchar(64),
        user_agent  varchar(512),
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

      CREATE TABLE servers (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name        varchar(100) NOT NULL,
        host        varchar(255),
        port        integer CHECK (port BETWEEN 1 AND 65535),
        metadata    jsonb        NOT NULL DEFAULT '{}'::jsonb,
        status      varchar(16)  NOT NULL DEFAULT 'unknown' CHECK (status IN ('online', 'offline', 'unknown')),
        last_seen   timestamptz,
        agent       jsonb,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now()
      );
      CREATE INDEX servers_owner_idx ON servers (owner_id);

      CREATE TABLE api_keys (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        server_id     uuid        NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        name          varchar(100),
        key_hash      char(64)    NOT NULL UNIQUE,
        key_prefix    varchar(16) NOT NULL,
        is_active     boolean     NOT NULL DEFAULT true,
        expires_at    timestamptz,
        last_used_at  timestamptz,
        created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX api_keys_server_idx ON api_keys (server_id);

      CREATE TABLE connection_events (
        id           bigserial PRIMARY KEY,
        server_id    uuid        REFERENCES servers (id) ON DELETE CASCADE,
        api_key_id   uuid        REFERENCES api_keys (id) ON DELETE SET NULL,
        event        varchar(32) NOT NULL,
        ip           varchar(64),
        detail       varchar(500),
        duration_ms  bigint,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX connection_events_server_idx ON connection_events (server_id, created_at DESC);

      -- The audit trail outlives what it describes: server_id is kept (no foreign key) when a
      -- server is deleted, so "who deleted it" stays answerable.
      CREATE TABLE audit_logs (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id      uuid        REFERENCES users (id) ON DELETE SET NULL,
        server_id    uuid,
        action       varchar(64) NOT NULL,
        description  varchar(1000) NOT NULL,
        ip           varchar(64),
        user_agent   varchar(512),
        success      boolean     NOT NULL,
        -- millisecond precision so that the (created_at, id) page cursor round-trips through JS dates
        created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      );
      CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC, id DESC);
      CREATE INDEX audit_logs_server_idx ON audit_logs (server_id, created_at DESC);
      CREATE INDEX audit_logs_user_idx ON audit_logs (user_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_logs;
      DROP TABLE connection_events;
      DROP TABLE api_keys;
      DROP TABLE servers;
      DROP TABLE refresh_tokens;
      DROP TABLE users;
    `);
  }
}
