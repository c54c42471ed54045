import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit entries remember whose server they are about (`owner_id`, kept when the server is deleted)
 * and whether an admin acted on someone else's server (`acting_as_admin`), so owners see what was
 * done to their servers by others, deletions included. Existing rows are backfilled: before this
 * migration only an admin could act on another user's server.
 */
export class AuditOwner1764230300000 implements MigrationInterface {
  name = 'AuditOwner1764230300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_logs
        ADD COLUMN owner_id        uuid    REFERENCES users (id) ON DELETE SET NULL,
        ADD COLUMN acting_as_admin boolean NOT NULL DEFAULT false;
      UPDATE audit_logs a SET owner_id = s.owner_id FROM servers s WHERE a.server_id = s.id;
      UPDATE audit_logs SET acting_as_admin = true
        WHERE owner_id IS NOT NULL AND user_id IS NOT NULL AND user_id <> owner_id;
      CREATE INDEX audit_logs_owner_idx ON audit_logs (owner_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX audit_logs_owner_idx;
      ALTER TABLE audit_logs DROP COLUMN acting_as_admin, DROP COLUMN owner_id;
    `);
  }
}
