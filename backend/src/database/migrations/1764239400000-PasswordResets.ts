import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin password resets: `users.must_change_password` is set by a temporary password the admin
 * chose (the user may only change it, sign out or read their profile until they do); one-time
 * reset links are stored as SHA-256 hashes of their token, expire, and work once.
 */
export class PasswordResets1764239400000 implements MigrationInterface {
  name = 'PasswordResets1764239400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

      CREATE TABLE password_resets (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash  char(64)    NOT NULL UNIQUE,
        expires_at  timestamptz NOT NULL,
        created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        used_at     timestamptz
      );
      CREATE INDEX password_resets_user_open_idx ON password_resets (user_id) WHERE used_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE password_resets');
    await q.query('ALTER TABLE users DROP COLUMN must_change_password');
  }
}
