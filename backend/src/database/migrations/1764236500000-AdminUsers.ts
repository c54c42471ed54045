import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instance administration: users can be disabled and their last sign-in is kept; instance settings
 * (the registration mode) live in PostgreSQL so every instance reads the same; invites are one-time
 * registration tokens, stored as SHA-256 hashes.
 */
export class AdminUsers1764236500000 implements MigrationInterface {
  name = 'AdminUsers1764236500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN disabled_at timestamptz, ADD COLUMN last_login_at timestamptz;
      CREATE INDEX users_active_admins_idx ON users (role) WHERE disabled_at IS NULL;
      CREATE INDEX refresh_tokens_user_live_idx ON refresh_tokens (user_id, family_id) WHERE revoked_at IS NULL;

      CREATE TABLE instance_settings (
        key         varchar(64) PRIMARY KEY,
        value       jsonb       NOT NULL,
        updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE invites (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash  char(64)     NOT NULL UNIQUE,
        email       varchar(254),
        role        varchar(16)  NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
        expires_at  timestamptz  NOT NULL,
        created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        used_at     timestamptz,
        used_by     uuid REFERENCES users (id) ON DELETE SET NULL,
        revoked_at  timestamptz
      );
      CREATE INDEX invites_created_idx ON invites (created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE invites; DROP TABLE instance_settings;
      DROP INDEX refresh_tokens_user_live_idx; DROP INDEX users_active_admins_idx;
      ALTER TABLE users DROP COLUMN last_login_at, DROP COLUMN disabled_at;
    `);
  }
}
