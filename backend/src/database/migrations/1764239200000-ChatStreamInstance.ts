import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A streamed chat action (`run`, `logs … follow` from the dashboard) records the presence id of
 * the backend instance that started it (`instance_id`, see InstancePresence): that instance holds
 * what ends it (the command's answer, the follow's time limit). When it dies, the others end its
 * running streams (`instance_stopped`). Entries written before (NULL) are left as they are.
 */
export class ChatStreamInstance1764239200000 implements MigrationInterface {
  name = 'ChatStreamInstance1764239200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE chat_messages ADD COLUMN instance_id integer;
      CREATE INDEX chat_messages_running_stream_instance_idx ON chat_messages (instance_id)
        WHERE reply->'stream'->>'state' = 'running' AND instance_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX chat_messages_running_stream_instance_idx; ALTER TABLE chat_messages DROP COLUMN instance_id');
  }
}
