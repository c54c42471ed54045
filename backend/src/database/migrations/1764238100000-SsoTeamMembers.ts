import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `team_members.source`: `oidc` for a membership the single sign-on team mapping granted
 * (OIDC_TEAM_MAPPING), which the mapping may change or remove at a later sign-in; `manual` for
 * every other one (added in the dashboard or the API), which the mapping never touches.
 */
export class SsoTeamMembers1764238100000 implements MigrationInterface {
  name = 'SsoTeamMembers1764238100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE team_members ADD COLUMN source varchar(8) NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'oidc'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE team_members DROP COLUMN source');
  }
}
