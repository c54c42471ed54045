import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ApiKey } from '@chatops/protocol';

/** An agent API key. Only the SHA-256 hash of the key is stored; it is looked up by that hash. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'server_id', type: 'uuid' }) serverId: string;
  @Column({ type: 'varchar', nullable: true }) name: string | null;
  @Column({ name: 'key_hash', type: 'char', length: 64 }) keyHash: string;
  @Column({ name: 'key_prefix' }) keyPrefix: string;
  @Column({ name: 'is_active' }) isActive: boolean;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export function toApiKey(k: ApiKeyEntity): ApiKey {
  return {
    id: k.id,
    serverId: k.serverId,
    name: k.name,
    keyPrefix: k.keyPrefix,
    isActive: k.isActive,
    expiresAt: k.expiresAt ? k.expiresAt.toISOString() : null,
    lastUsedAt: k.lastUsedAt ? k.lastUsedAt.toISOString() : null,
    createdAt: k.createdAt.toISOString(),
  };
}
