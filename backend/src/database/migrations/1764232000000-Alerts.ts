import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert rules, alerts, pending evaluation state, silences, notification channels and the delivery
 * log. The one-open-alert-per-key rule is a partial unique index, so instances sharing the database
 * open an alert once whoever sees the breach first. `updated_at` indexes let every instance pick up
 * the others' changes (rules, silences, alert counts) with one cheap query per sync interval.
 * pg-boss keeps its own schema (`pgboss`), created and migrated by pg-boss itself at start.
 */
export class Alerts1764232000000 implements MigrationInterface {
  name = 'Alerts1764232000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_thresholds (
        id               uuid PRIMARY KEY,
        owner_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        server_id        uuid REFERENCES servers (id) ON DELETE CASCADE,
        metric_type      varchar(32) NOT NULL,
        comparison       varchar(8) NOT NULL,
        threshold_value  double precision NOT NULL,
        enabled          boolean NOT NULL DEFAULT true,
        severity         varchar(16) NOT NULL DEFAULT 'warning',
        duration_sec     integer NOT NULL DEFAULT 0,
        clear_value      double precision,
        target           varchar(255),
        channel_ids      uuid[] NOT NULL DEFAULT '{}',
        name             varchar(200),
        description      text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        -- deleted rules are kept (their alerts point at them) and travel to other instances as changes
        deleted_at       timestamptz,
        CONSTRAINT alert_thresholds_comparison_chk CHECK (comparison IN ('gt', 'gte', 'lt', 'lte', 'eq')),
        CONSTRAINT alert_thresholds_severity_chk CHECK (severity IN ('info', 'warning', 'critical'))
      );
      CREATE INDEX alert_thresholds_owner_idx ON alert_thresholds (owner_id, created_at) WHERE deleted_at IS NULL;
      CREATE INDEX alert_thresholds_server_idx ON alert_thresholds (server_id) WHERE deleted_at IS NULL;
      CREATE INDEX alert_thresholds_updated_idx ON alert_thresholds (updated_at);

      CREATE TABLE alerts (
        id                uuid PRIMARY KEY,
        server_id         uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        threshold_id      uuid NOT NULL REFERENCES alert_thresholds (id) ON DELETE CASCADE,
        owner_id          uuid NOT NULL,
        -- '' for host-wide metrics: part of the open-alert key
        target            varchar(255) NOT NULL DEFAULT '',
        metric_type       varchar(32) NOT NULL,
        severity          varchar(16) NOT NULL,
        comparison        varchar(8) NOT NULL,
        status            varchar(16) NOT NULL,
        message           text NOT NULL,
        threshold_value   double precision NOT NULL,
        current_value     double precision,
        started_at        timestamptz NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        acknowledged_at   timestamptz,
        acknowledged_by   varchar(64),
        acknowledge_note  text,
        resolved_at       timestamptz,
        resolved_by       varchar(64),
        resolve_note      text,
        resolve_reason    varchar(32),
        silenced          boolean NOT NULL DEFAULT false,
        silence_id        uuid,
        snapshot          jsonb,
        CONSTRAINT alerts_status_chk CHECK (status IN ('active', 'acknowledged', 'resolved'))
      );
      -- exactly one open alert per (rule, server, target), across every instance
      CREATE UNIQUE INDEX alerts_open_key ON alerts (threshold_id, server_id, target) WHERE status <> 'resolved';
      CREATE INDEX alerts_created_idx ON alerts (created_at DESC, id DESC);
      CREATE INDEX alerts_server_idx ON alerts (server_id, created_at DESC, id DESC);
      CREATE INDEX alerts_open_server_idx ON alerts (server_id, metric_type) WHERE status <> 'resolved';
      CREATE INDEX alerts_updated_idx ON alerts (updated_at);

      -- conditions that hold but have not lasted durationSec yet (open alerts are in alerts)
      CREATE TABLE alert_pending (
        threshold_id  uuid NOT NULL REFERENCES alert_thresholds (id) ON DELETE CASCADE,
        server_id     uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        target        varchar(255) NOT NULL DEFAULT '',
        since         timestamptz NOT NULL,
        value         double precision,
        points        jsonb NOT NULL DEFAULT '[]',
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (threshold_id, server_id, target)
      );

      CREATE TABLE alert_silences (
        id           uuid PRIMARY KEY,
        owner_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        server_id    uuid REFERENCES servers (id) ON DELETE CASCADE,
        metric_type  varchar(32),
        reason       text NOT NULL,
        starts_at    timestamptz NOT NULL DEFAULT now(),
        ends_at      timestamptz NOT NULL,
        created_by   varchar(64),
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        deleted_at   timestamptz
      );
      CREATE INDEX alert_silences_owner_idx ON alert_silences (owner_id, created_at DESC) WHERE deleted_at IS NULL;
      CREATE INDEX alert_silences_updated_idx ON alert_silences (updated_at);

      CREATE TABLE notification_channels (
        id           uuid PRIMARY KEY,
        owner_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name         varchar(100) NOT NULL,
        type         varchar(16) NOT NULL,
        enabled      boolean NOT NULL DEFAULT true,
        url_preview  varchar(300),
        email_to     text[],
        -- AES-256-GCM ciphertext of the channel's secrets (URL, signing secret): never returned
        secret_enc   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_channels_type_chk CHECK (type IN ('webhook', 'slack', 'email'))
      );
      CREATE INDEX notification_channels_owner_idx ON notification_channels (owner_id, created_at);

      -- one message to one channel, covering one or several alerts (a grouped message)
      CREATE TABLE notification_deliveries (
        id          uuid PRIMARY KEY,
        channel_id  uuid REFERENCES notification_channels (id) ON DELETE SET NULL,
        owner_id    uuid NOT NULL,
        kind        varchar(16) NOT NULL,
        status      varchar(16) NOT NULL,
        alert_ids   uuid[] NOT NULL DEFAULT '{}',
        alerts      jsonb NOT NULL DEFAULT '[]',
        detail      text,
        attempts    jsonb NOT NULL DEFAULT '[]',
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz,
        CONSTRAINT notification_deliveries_status_chk CHECK (status IN ('pending', 'sent', 'failed', 'suppressed'))
      );
      CREATE INDEX notification_deliveries_alerts_idx ON notification_deliveries USING gin (alert_ids);
      CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel_id, created_at DESC);

      -- alerts waiting for their group's window to close (then sent as one message)
      CREATE TABLE notification_outbox (
        id          bigserial PRIMARY KEY,
        group_key   text NOT NULL,
        channel_id  uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
        owner_id    uuid NOT NULL,
        kind        varchar(16) NOT NULL,
        alert_id    uuid NOT NULL,
        alert       jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX notification_outbox_group_idx ON notification_outbox (group_key, id);

      -- grouping windows and per-alert-key cooldowns, claimed atomically by whichever instance is first
      CREATE TABLE notification_windows (
        key    text PRIMARY KEY,
        until  timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE notification_windows;
      DROP TABLE notification_outbox;
      DROP TABLE notification_deliveries;
      DROP TABLE notification_channels;
      DROP TABLE alert_silences;
      DROP TABLE alert_pending;
      DROP TABLE alerts;
      DROP TABLE alert_thresholds;
      DROP SCHEMA IF EXISTS pgboss CASCADE;
    `);
  }
}
