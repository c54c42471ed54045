import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server tags (docs/api.md, "Servers"): a text array with a GIN index, so `GET /servers?tag=`
 * (`tags @> ARRAY[tag]`) stays an index lookup at thousands of servers. Tags kept before this in
 * `metadata.tags` stay where they are (the chat's `status tag:` still reads them when a server has
 * no tags of its own); nothing is moved, since their format was never checked.
 */
export class ServerTags1764236000000 implements MigrationInterface {
  name = 'ServerTags1764236000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE servers ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
      CREATE INDEX servers_tags_idx ON servers USING gin (tags);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX servers_tags_idx;
      ALTER TABLE servers DROP COLUMN tags;
    `);
  }
}
