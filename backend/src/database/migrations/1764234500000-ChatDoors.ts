import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat doors (Slack, Mattermost; docs/chatops.md): chat identities linked to accounts, the one-time
 * link requests (token hashed, 10 min), the request signatures seen in the last minutes (replay
 * protection, shared by every instance), and the integration secrets an admin stored (sealed with
 * AES-256-GCM).
 */
export class ChatDoors1764234500000 implements MigrationInterface {
  name = 'ChatDoors1764234500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_links (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        provider        varchar(16) NOT NULL CHECK (provider IN ('slack', 'mattermost')),
        team_id         varchar(64) NOT NULL,
        chat_user_id    varchar(64) NOT NULL,
        chat_user_name  varchar(128),
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider, team_id, chat_user_id)
      );
      CREATE INDEX chat_links_user_idx ON chat_links (user_id, created_at);

      CREATE TABLE chat_link_requests (
        token_hash      char(64) PRIMARY KEY,
        provider        varchar(16) NOT NULL,
        team_id         varchar(64) NOT NULL,
        chat_user_id    varchar(64) NOT NULL,
        chat_user_name  varchar(128),
        expires_at      timestamptz NOT NULL,
        used_at         timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chat_link_requests_expires_idx ON chat_link_requests (expires_at);

      CREATE TABLE chat_request_nonces (
        digest      char(64) PRIMARY KEY,
        expires_at  timestamptz NOT NULL
      );
      CREATE INDEX chat_request_nonces_expires_idx ON chat_request_nonces (expires_at);

      CREATE TABLE chat_integrations (
        provider    varchar(16) PRIMARY KEY CHECK (provider IN ('slack', 'mattermost')),
        secret      text NOT NULL,
        updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE chat_integrations; DROP TABLE chat_request_nonces; DROP TABLE chat_link_requests; DROP TABLE chat_links');
  }
}
