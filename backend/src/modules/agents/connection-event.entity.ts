import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ConnectionEventKind = 'connected' | 'disconnected' | 'auth_failed' | 'replaced';

/** One row per agent connection, disconnection (with its duration) and failed authentication. */
@Entity('connection_events')
export class ConnectionEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true }) apiKeyId: string | null;
  @Column({ type: 'varchar' }) event: ConnectionEventKind;
  @Column({ type: 'varchar', nullable: true }) ip: string | null;
  @Column({ type: 'varchar', nullable: true }) detail: string | null;
  @Column({ name: 'duration_ms', type: 'bigint', nullable: true }) durationMs: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
