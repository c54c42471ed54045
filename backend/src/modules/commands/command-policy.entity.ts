import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CommandPolicy } from '@chatops/protocol';

/** A server's command policy: allow and deny patterns (libs/protocol command-patterns syntax). */
@Entity('server_command_policies')
export class CommandPolicyEntity {
  @PrimaryColumn({ name: 'server_id', type: 'uuid' }) serverId: string;
  @Column({ type: 'text', array: true }) allow: string[];
  @Column({ type: 'text', array: true }) deny: string[];
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedBy: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export function toCommandPolicy(serverId: string, e: CommandPolicyEntity | null): CommandPolicy {
  return { serverId, allow: e?.allow ?? [], deny: e?.deny ?? [], updatedAt: e ? e.updatedAt.toISOString() : null };
}
