import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who created an alert rule: `created_by` (the account; ON DELETE SET NULL) and
 * `created_by_username` (kept as written, so the rule still names its creator once the account is
 * disabled or gone, as `alerts.acknowledged_by` does). Existing rules were always created by their
 * `owner_id`, so they are backfilled from it.
 */
export class RuleCreators1764239100000 implements MigrationInterface {
  name = 'RuleCreators1764239100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE alert_thresholds
        ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        ADD COLUMN created_by_username varchar(64);
      UPDATE alert_thresholds t SET created_by = t.owner_id, created_by_username = u.username
        FROM users u WHERE u.id = t.owner_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE alert_thresholds DROP COLUMN created_by_username, DROP COLUMN created_by');
  }
}
