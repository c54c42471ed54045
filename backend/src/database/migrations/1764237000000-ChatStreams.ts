import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ChatOps streams and confirmation states (docs/chatops.md): a confirmation remembers the
 * conversation entry whose reply carried it (so confirming or cancelling marks that card) and
 * whether it was cancelled; streamed replies (`reply.stream`) still running are found by their
 * stream id (stop, end) or their server (the agent went away) through a small partial index.
 */
export class ChatStreams1764237000000 implements MigrationInterface {
  name = 'ChatStreams1764237000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE chat_confirmations ADD COLUMN message_id uuid, ADD COLUMN cancelled_at timestamptz;
      CREATE INDEX chat_messages_running_stream_idx ON chat_messages ((reply->'stream'->>'id'))
        WHERE reply->'stream'->>'state' = 'running';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX chat_messages_running_stream_idx; ALTER TABLE chat_confirmations DROP COLUMN cancelled_at, DROP COLUMN message_id');
  }
}
