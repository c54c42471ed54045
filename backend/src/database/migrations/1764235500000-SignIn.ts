import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in (docs/security.md): identities at an OpenID Connect provider linked to accounts (one
 * account per issuer + subject), and personal API tokens (stored only as SHA-256 hashes).
 */
export class SignIn1764235500000 implements MigrationInterface {
  name = 'SignIn1764235500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_identities (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        issuer         varchar(512) NOT NULL,
        subject        varchar(255) NOT NULL,
        email          varchar(254),
        created_at     timestamptz NOT NULL DEFAULT now(),
        last_login_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (issuer, subject)
      );
      CREATE INDEX user_identities_user_idx ON user_identities (user_id);

      CREATE TABLE personal_tokens (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name          varchar(100) NOT NULL,
        token_hash    char(64) NOT NULL UNIQUE,
        token_prefix  varchar(16) NOT NULL,
        scopes        text[] NOT NULL DEFAULT '{}',
        expires_at    timestamptz NOT NULL,
        last_used_at  timestamptz,
        revoked_at    timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX personal_tokens_user_idx ON personal_tokens (user_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE personal_tokens; DROP TABLE user_identities');
  }
}
