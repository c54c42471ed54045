import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelType, NotificationChannel } from '@chatops/protocol';

/** A user's notification channel. `secretEnc` (the URL and signing secret, sealed) never leaves the backend. */
@Entity('notification_channels')
export class ChannelEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 16 }) type: ChannelType;
  @Column({ type: 'boolean' }) enabled: boolean;
  @Column({ name: 'url_preview', type: 'varchar', length: 300, nullable: true }) urlPreview: string | null;
  @Column({ name: 'email_to', type: 'text', array: true, nullable: true }) emailTo: string[] | null;
  @Column({ name: 'secret_enc', type: 'text', nullable: true }) secretEnc: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** What is sealed in `secret_enc`. */
export interface ChannelSecrets { url?: string; secret?: string }

export function toChannel(e: ChannelEntity): NotificationChannel {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    enabled: e.enabled,
    urlPreview: e.urlPreview,
    emailTo: e.emailTo,
    hasSecret: e.secretEnc !== null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** `https://hooks.example.com/…`: scheme and host, never the path or query (where tokens live). */
export function previewUrl(raw: string): string {
  const u = new URL(raw);
  return `${u.protocol}//${u.host}/…`;
}
