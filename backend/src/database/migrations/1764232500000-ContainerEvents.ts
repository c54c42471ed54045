import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Container events the agents forward (start, die, health_status, ...), kept per server for
 * `GET /docker/{serverId}/events`: written in batches, the newest 500 per server kept (older rows
 * are pruned in batches, not per event). They go with their server.
 */
export class ContainerEvents1764232500000 implements MigrationInterface {
  name = 'ContainerEvents1764232500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE container_events (
        id            bigserial PRIMARY KEY,
        server_id     uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        container_id  varchar(128) NOT NULL,
        name          varchar(255) NOT NULL,
        image         varchar(512),
        action        varchar(32) NOT NULL,
        exit_code     integer,
        health        varchar(32),
        time          timestamptz NOT NULL,
        received_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX container_events_server_idx ON container_events (server_id, time DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE container_events');
  }
}
