import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remote commands and the web terminal: every command (whatever its outcome), each server's
 * command policy, terminal sessions and their recordings (asciicast events, appended in chunks by
 * whichever instance sees them). Everything hangs off `servers` and goes with it.
 */
export class Commands1764231000000 implements MigrationInterface {
  name = 'Commands1764231000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE command_history (
        id           uuid PRIMARY KEY,
        server_id    uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        user_id      uuid REFERENCES users (id) ON DELETE SET NULL,
        command      text NOT NULL,
        timeout_sec  integer NOT NULL,
        status       varchar(16) NOT NULL,
        exit_code    integer,
        stdout       text NOT NULL DEFAULT '',
        stderr       text NOT NULL DEFAULT '',
        truncated    boolean NOT NULL DEFAULT false,
        timed_out    boolean NOT NULL DEFAULT false,
        duration_ms  integer,
        error        text,
        ip           varchar(64),
        created_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        CONSTRAINT command_history_status_chk
          CHECK (status IN ('running', 'completed', 'failed', 'timeout', 'refused', 'unreachable'))
      );
      CREATE INDEX command_history_server_idx ON command_history (server_id, created_at DESC, id DESC);
      CREATE INDEX command_history_running_idx ON command_history (status) WHERE status = 'running';

      CREATE TABLE server_command_policies (
        server_id   uuid PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
        allow       text[] NOT NULL DEFAULT '{}',
        deny        text[] NOT NULL DEFAULT '{}',
        updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE terminal_sessions (
        id          uuid PRIMARY KEY,
        server_id   uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
        username    varchar(64),
        cols        integer NOT NULL,
        rows        integer NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        ended_at    timestamptz,
        exit_code   integer,
        end_reason  varchar(32),
        bytes_out   bigint NOT NULL DEFAULT 0,
        bytes_in    bigint NOT NULL DEFAULT 0,
        recording_truncated boolean NOT NULL DEFAULT false,
        ip          varchar(64)
      );
      CREATE INDEX terminal_sessions_server_idx ON terminal_sessions (server_id, started_at DESC, id DESC);

      -- asciicast v2 events: at_ms after the session start, kind 'o' output, 'i' input, 'r' resize.
      CREATE TABLE terminal_recording_events (
        session_id  uuid NOT NULL REFERENCES terminal_sessions (id) ON DELETE CASCADE,
        seq         bigserial,
        at_ms       integer NOT NULL,
        kind        char(1) NOT NULL,
        data        text NOT NULL,
        PRIMARY KEY (session_id, seq)
      );
      CREATE INDEX terminal_recording_events_time_idx ON terminal_recording_events (session_id, at_ms, seq);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE terminal_recording_events;
      DROP TABLE terminal_sessions;
      DROP TABLE server_command_policies;
      DROP TABLE command_history;
    `);
  }
}
