import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TerminalEndReason, TerminalSession } from '@chatops/protocol';

/** One web terminal session; its recording is in `terminal_recording_events`. */
@Entity('terminal_sessions')
export class TerminalSessionEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'server_id', type: 'uuid' }) serverId: string;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) username: string | null;
  @Column({ type: 'integer' }) cols: number;
  @Column({ type: 'integer' }) rows: number;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'exit_code', type: 'integer', nullable: true }) exitCode: number | null;
  @Column({ name: 'end_reason', type: 'varchar', length: 32, nullable: true }) endReason: TerminalEndReason | null;
  @Column({ name: 'bytes_out', type: 'bigint' }) bytesOut: string;
  @Column({ name: 'bytes_in', type: 'bigint' }) bytesIn: string;
  @Column({ name: 'recording_truncated', type: 'boolean' }) recordingTruncated: boolean;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip: string | null;
  /** Presence id of the instance relaying the session (its browser's), while open; null on older rows. */
  @Column({ name: 'instance_id', type: 'integer', nullable: true }) instanceId: number | null;
}

export function toTerminalSession(e: TerminalSessionEntity): TerminalSession {
  return {
    id: e.id,
    serverId: e.serverId,
    userId: e.userId,
    username: e.username,
    cols: e.cols,
    rows: e.rows,
    startedAt: e.startedAt.toISOString(),
    endedAt: e.endedAt ? e.endedAt.toISOString() : null,
    exitCode: e.exitCode,
    endReason: e.endReason,
    bytesOut: Number(e.bytesOut),
    bytesIn: Number(e.bytesIn),
    recordingTruncated: e.recordingTruncated,
  };
}
