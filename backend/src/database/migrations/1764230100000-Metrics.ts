import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time-series storage. One narrow row per sample (what is charted and alerted on), deduplicated
 * by (server, boot, seq); the boot id string is interned in agent_boots so the key stays small.
 * The full latest sample per server is kept separately (metric_latest) for the detail views.
 * Storage per stored sample including indexes is measured by `npm run bench:ingest -- --storage N`
 * (docs/performance.md).
 */
export class Metrics1764230100000 implements MigrationInterface {
  name = 'Metrics1764230100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent_boots (
        id          serial PRIMARY KEY,
        server_id   uuid         NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        boot_id     varchar(128) NOT NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        UNIQUE (server_id, boot_id)
      );

      CREATE TABLE metric_samples (
        server_id  uuid        NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        boot_ref   integer     NOT NULL REFERENCES agent_boots (id) ON DELETE CASCADE,
        seq        bigint      NOT NULL,
        ts         timestamptz NOT NULL,
        cpu        real        NOT NULL,
        mem        real        NOT NULL,
        swap       real,
        disk       real,
        load1      real        NOT NULL,
        net_rx     real,
        net_tx     real,
        -- boot_ref already identifies (server, bootId): a narrower key than (server_id, boot_ref, seq)
        PRIMARY KEY (boot_ref, seq)
      ) WITH (fillfactor = 100);
      CREATE INDEX metric_samples_server_ts_idx ON metric_samples (server_id, ts);

      CREATE TABLE metric_latest (
        server_id    uuid PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
        ts           timestamptz NOT NULL,
        sample       jsonb       NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE metric_latest; DROP TABLE metric_samples; DROP TABLE agent_boots;');
  }
}
