import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Teams: a server belongs to its owner user or, when `team_id` is set, to a team whose members act
 * on it through their role (viewer, operator, admin). `owner_id` stays set on a team server (who
 * created or last held it personally) but grants nothing while the team holds it. A team that still
 * holds servers cannot be deleted (RESTRICT): its servers move out first. Audit entries about a team
 * (membership, servers moved in or out) carry `team_id`, so every member sees them.
 */
export class Teams1764235000000 implements MigrationInterface {
  name = 'Teams1764235000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teams (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name        varchar(100) NOT NULL,
        created_by  uuid         REFERENCES users (id) ON DELETE SET NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now()
      );

      CREATE TABLE team_members (
        team_id     uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role        varchar(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        added_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      );
      CREATE INDEX team_members_user_idx ON team_members (user_id);

      ALTER TABLE servers ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE RESTRICT;
      CREATE INDEX servers_team_idx ON servers (team_id) WHERE team_id IS NOT NULL;

      ALTER TABLE audit_logs ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE SET NULL;
      CREATE INDEX audit_logs_team_idx ON audit_logs (team_id, created_at DESC) WHERE team_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX audit_logs_team_idx;
      ALTER TABLE audit_logs DROP COLUMN team_id;
      DROP INDEX servers_team_idx;
      ALTER TABLE servers DROP COLUMN team_id;
      DROP TABLE team_members;
      DROP TABLE teams;
    `);
  }
}
