import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CommandRecord, CommandStatus } from '@chatops/protocol';

/** One command sent (or refused) for a server, whatever its outcome. */
@Entity('command_history')
export class CommandHistoryEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'server_id', type: 'uuid' }) serverId: string;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'text' }) command: string;
  @Column({ name: 'timeout_sec', type: 'integer' }) timeoutSec: number;
  @Column({ type: 'varchar', length: 16 }) status: CommandStatus;
  @Column({ name: 'exit_code', type: 'integer', nullable: true }) exitCode: number | null;
  @Column({ type: 'text' }) stdout: string;
  @Column({ type: 'text' }) stderr: string;
  @Column({ type: 'boolean' }) truncated: boolean;
  @Column({ name: 'timed_out', type: 'boolean' }) timedOut: boolean;
  @Column({ name: 'duration_ms', type: 'integer', nullable: true }) durationMs: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  /** Presence id of the instance waiting for the agent's answer while `running` (see UserSlots); null on older rows. */
  @Column({ name: 'instance_id', type: 'integer', nullable: true }) instanceId: number | null;
}

/** Longest output a history list item carries; the full text is in `GET /commands/item/{id}`. */
export const LIST_PREVIEW_CHARS = 4096;

export function toCommandRecord(e: CommandHistoryEntity, preview = false): CommandRecord {
  const cut = (s: string) => (preview && s.length > LIST_PREVIEW_CHARS ? s.slice(0, LIST_PREVIEW_CHARS) : s);
  return {
    commandId: e.id,
    serverId: e.serverId,
    userId: e.userId,
    command: e.command,
    status: e.status,
    exitCode: e.exitCode,
    output: cut(e.stdout),
    stderr: cut(e.stderr),
    durationMs: e.durationMs,
    truncated: e.truncated,
    timedOut: e.timedOut,
    error: e.error,
    ip: e.ip,
    createdAt: e.createdAt.toISOString(),
    finishedAt: e.finishedAt ? e.finishedAt.toISOString() : null,
    ...(preview ? { preview: e.stdout.length > LIST_PREVIEW_CHARS || e.stderr.length > LIST_PREVIEW_CHARS } : {}),
  };
}
