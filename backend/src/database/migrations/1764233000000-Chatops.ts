import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ChatOps (docs/chatops.md): the conversation kept per user (and per server), one-time
 * confirmation tokens for destructive commands (stored hashed, here so that any instance can
 * confirm what another issued), the per-user confirm setting, and the channel a chat action came
 * from on its audit entries (null: REST or the dashboard's own pages).
 */
export class Chatops1764233000000 implements MigrationInterface {
  name = 'Chatops1764233000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_messages (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        server_id   uuid REFERENCES servers (id) ON DELETE SET NULL,
        channel     varchar(16) NOT NULL CHECK (channel IN ('dashboard', 'slack', 'mattermost')),
        text        varchar(4000) NOT NULL,
        command     varchar(32),
        ok          boolean NOT NULL,
        reply       jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chat_messages_user_idx ON chat_messages (user_id, created_at DESC, id DESC);
      CREATE INDEX chat_messages_user_server_idx ON chat_messages (user_id, server_id, created_at DESC, id DESC);

      CREATE TABLE chat_confirmations (
        token_hash  char(64) PRIMARY KEY,
        user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        channel     varchar(16) NOT NULL,
        command     jsonb NOT NULL,
        text        varchar(8192) NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chat_confirmations_expires_idx ON chat_confirmations (expires_at);

      CREATE TABLE chat_settings (
        user_id              uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        confirm_destructive  boolean NOT NULL DEFAULT true,
        updated_at           timestamptz NOT NULL DEFAULT now()
      );

      ALTER TABLE audit_logs ADD COLUMN channel varchar(16);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_logs DROP COLUMN channel; DROP TABLE chat_settings; DROP TABLE chat_confirmations; DROP TABLE chat_messages');
  }
}
