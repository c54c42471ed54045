import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-user caps that hold across backend instances. A running command and an open terminal
 * session record the presence id of the instance that holds them (`instance_id`, see
 * InstancePresence); the caps count these rows in PostgreSQL under a per-user advisory lock, and
 * when an instance dies the others close its rows, which frees the slots. Rows written before
 * this migration (`instance_id` NULL) are not counted and are closed as before (commands after
 * their timeout).
 */
export class PerUserSlots1764237500000 implements MigrationInterface {
  name = 'PerUserSlots1764237500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE command_history ADD COLUMN instance_id integer;
      ALTER TABLE terminal_sessions ADD COLUMN instance_id integer;
      CREATE INDEX command_history_running_user_idx ON command_history (user_id) WHERE status = 'running';
      CREATE INDEX terminal_sessions_open_user_idx ON terminal_sessions (user_id) WHERE ended_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX terminal_sessions_open_user_idx;
      DROP INDEX command_history_running_user_idx;
      ALTER TABLE terminal_sessions DROP COLUMN instance_id;
      ALTER TABLE command_history DROP COLUMN instance_id;
    `);
  }
}
