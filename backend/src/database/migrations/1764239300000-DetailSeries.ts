import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-interface network, per-mount disk usage and disk I/O history.
 *
 * Raw: one `detail` json per sample, `{"n:<iface>": [rxBps, txBps], "m:<mount>": [percent],
 * "io": [readBps, writeBps]}` (bounded in ingest: a few interfaces and mounts, rounded values).
 * json, not jsonb: for these few short arrays the text is less than half jsonb's binary form
 * (82 against 188 bytes for two NICs, two mounts and disk I/O, measured).
 * Rollups: one row per (server, bucket, series) with the sample count and avg/max of the series'
 * two values (`a` = rx, percent or read; `b` = tx or write), beside the fleet-wide rollup rows and
 * maintained by the same job, so that hours nest minutes exactly (weighted by `n`).
 */
export class DetailSeries1764239300000 implements MigrationInterface {
  name = 'DetailSeries1764239300000';

  async up(q: QueryRunner): Promise<void> {
    const detailTable = (name: string) => `
      CREATE TABLE ${name} (
        server_id  uuid        NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        bucket     timestamptz NOT NULL,
        series     varchar(140) NOT NULL,
        n          integer     NOT NULL,
        a_avg real, a_max real, b_avg real, b_max real,
        PRIMARY KEY (server_id, bucket, series)
      );
      CREATE INDEX ${name}_bucket_brin ON ${name} USING brin (bucket);`;
    await q.query(`
      ALTER TABLE metric_samples ADD COLUMN detail json;
      ${detailTable('metric_detail_1m')}
      ${detailTable('metric_detail_1h')}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE metric_detail_1h; DROP TABLE metric_detail_1m;
      ALTER TABLE metric_samples DROP COLUMN detail;
    `);
  }
}
