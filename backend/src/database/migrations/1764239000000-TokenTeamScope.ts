import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `personal_tokens.team_scope`: the teams (ids) and/or `personal` a token is limited to; NULL for a
 * token not limited to teams (every server its user may reach, as before). Membership is checked at
 * each request, so a user who leaves a team takes the reach away from their tokens with it.
 */
export class TokenTeamScope1764239000000 implements MigrationInterface {
  name = 'TokenTeamScope1764239000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE personal_tokens ADD COLUMN team_scope text[] NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE personal_tokens DROP COLUMN team_scope');
  }
}
