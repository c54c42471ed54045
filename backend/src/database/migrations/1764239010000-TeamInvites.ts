import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team invite links: a team admin makes one with a role, an expiry and a number of uses; only the
 * SHA-256 of its secret is stored (looked up by that hash). Deleted with the team.
 */
export class TeamInvites1764239010000 implements MigrationInterface {
  name = 'TeamInvites1764239010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE team_invites (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id     uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        role        varchar(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        token_hash  char(64) NOT NULL UNIQUE,
        expires_at  timestamptz NOT NULL,
        max_uses    integer NOT NULL CHECK (max_uses > 0),
        uses        integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
        created_by  uuid NULL REFERENCES users(id) ON DELETE SET NULL,
        revoked_at  timestamptz NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX team_invites_team ON team_invites (team_id, created_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE team_invites');
  }
}
