import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History tiers: 1-minute and 1-hour rollups (avg/max, min for CPU) maintained by the rollup job,
 * its watermarks, and the buckets that late samples (offline replays) made stale. BRIN indexes on
 * time make retention's bounded deletes and the job's time-window scans cheap without a second
 * b-tree per row.
 */
export class Rollups1764230200000 implements MigrationInterface {
  name = 'Rollups1764230200000';

  async up(q: QueryRunner): Promise<void> {
    const rollupTable = (name: string) => `
      CREATE TABLE ${name} (
        server_id  uuid        NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        bucket     timestamptz NOT NULL,
        samples    integer     NOT NULL,
        cpu_avg    real NOT NULL, cpu_max real NOT NULL, cpu_min real NOT NULL,
        mem_avg    real NOT NULL, mem_max real NOT NULL,
        swap_avg   real, swap_n integer NOT NULL DEFAULT 0,
        disk_avg   real, disk_max real, disk_n integer NOT NULL DEFAULT 0,
        load1_avg  real NOT NULL, load1_max real NOT NULL,
        rx_avg     real, rx_max real, rx_n integer NOT NULL DEFAULT 0,
        tx_avg     real, tx_max real, tx_n integer NOT NULL DEFAULT 0,
        PRIMARY KEY (server_id, bucket)
      );
      CREATE INDEX ${name}_bucket_brin ON ${name} USING brin (bucket);`;
    await q.query(`
      ${rollupTable('metric_rollup_1m')}
      ${rollupTable('metric_rollup_1h')}
      CREATE INDEX metric_samples_ts_brin ON metric_samples USING brin (ts);

      -- How far each tier is complete: every bucket before the watermark has been aggregated.
      CREATE TABLE rollup_watermarks (
        tier       varchar(8) PRIMARY KEY,
        watermark  timestamptz NOT NULL
      );

      -- Buckets below the watermark that received samples after they were aggregated.
      CREATE TABLE rollup_dirty (
        server_id  uuid        NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        bucket     timestamptz NOT NULL,
        PRIMARY KEY (server_id, bucket)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE rollup_dirty; DROP TABLE rollup_watermarks;
      DROP INDEX metric_samples_ts_brin;
      DROP TABLE metric_rollup_1h; DROP TABLE metric_rollup_1m;
    `);
  }
}
