import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed agent handshakes are aggregated (one row per client IP and minute, with a count) and
 * connection events expire after CONNECTION_EVENTS_RETENTION_DAYS: `attempts` holds the count, and
 * a BRIN index on the insertion-ordered `created_at` keeps retention's bounded deletes cheap.
 */
export class ConnectionEventAttempts1764231500000 implements MigrationInterface {
  name = 'ConnectionEventAttempts1764231500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE connection_events ADD COLUMN attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1);
      CREATE INDEX connection_events_created_brin ON connection_events USING brin (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX connection_events_created_brin;
      ALTER TABLE connection_events DROP COLUMN attempts;
    `);
  }
}
