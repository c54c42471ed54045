import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditEntry, ChatChannel } from '@chatops/protocol';

@Entity('audit_logs')
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column() action: string;
  @Column() description: string;
  @Column({ type: 'varchar', nullable: true }) ip: string | null;
  @Column({ name: 'user_agent', type: 'varchar', nullable: true }) userAgent: string | null;
  @Column() success: boolean;
  /** Owner of the server at the time (kept after the server is deleted). */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true }) ownerId: string | null;
  /** The team the entry is about (a team server's, or a team action's); its members see it. */
  @Column({ name: 'team_id', type: 'uuid', nullable: true }) teamId: string | null;
  /** An admin acted on a server owned by someone else, or on a team server without a role (break-glass). */
  @Column({ name: 'acting_as_admin', default: false }) actingAsAdmin: boolean;
  /** The chat door the action came through; null: REST or the dashboard's pages. */
  @Column({ type: 'varchar', nullable: true }) channel: ChatChannel | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export function toAuditEntry(a: AuditLogEntity): AuditEntry {
  return {
    id: a.id,
    userId: a.userId,
    serverId: a.serverId,
    action: a.action,
    description: a.description,
    ip: a.ip,
    userAgent: a.userAgent,
    success: a.success,
    createdAt: a.createdAt.toISOString(),
    ownerId: a.ownerId,
    teamId: a.teamId,
    actingAsAdmin: a.actingAsAdmin,
    channel: a.channel,
  };
}
