import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AgentInfo, Server, ServerStatus } from '@chatops/protocol';

@Entity('servers')
export class ServerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Who created the server or last held it personally; grants nothing while a team holds it. */
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  /** The team that holds the server; null: a personal server of `ownerId`. */
  @Column({ name: 'team_id', type: 'uuid', nullable: true }) teamId: string | null;
  @Column() name: string;
  @Column({ type: 'varchar', nullable: true }) host: string | null;
  @Column({ type: 'integer', nullable: true }) port: number | null;
  @Column({ type: 'jsonb', default: {} }) metadata: Record<string, unknown>;
  @Column({ type: 'varchar', default: 'unknown' }) status: ServerStatus;
  @Column({ name: 'last_seen', type: 'timestamptz', nullable: true }) lastSeen: Date | null;
  @Column({ type: 'jsonb', nullable: true }) agent: AgentInfo | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export function toServer(s: ServerEntity): Server {
  return {
    id: s.id,
    name: s.name,
    host: s.host,
    port: s.port,
    metadata: s.metadata ?? {},
    status: s.status,
    lastSeen: s.lastSeen ? s.lastSeen.toISOString() : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    agent: s.agent,
    tags: s.tags ?? [],
  };
}
