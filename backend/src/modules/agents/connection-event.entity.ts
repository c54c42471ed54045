import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ConnectionEventKind = 'connected' | 'disconnected' | 'auth_failed' | 'replaced';

/** One row per agent connection and disconnection (with its duration); failed handshakes are counted per IP and minute. */
@Entity('connection_events')
export class ConnectionEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true }) apiKeyId: string | null;
  @Column({ type: 'varchar' }) event: ConnectionEventKind;
  @Column({ type: 'varchar', nullable: true }) ip: string | null;
  @Column({ type: 'varchar', nullable: true }) detail: string | null;
  @Column({ name: 'duration_ms', type: 'bigint', nullable: true }) durationMs: string | null;
  /** Failed handshakes this row stands for (auth_failed rows aggregate a client IP's failures per minute); 1 otherwise. */
  @Column({ type: 'integer', default: 1 }) attempts: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
