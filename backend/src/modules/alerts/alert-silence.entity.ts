import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AlertSilence, MetricType } from '@chatops/protocol';

/** A silence: alerts it covers are recorded (marked silenced) but notify nobody. */
@Entity('alert_silences')
export class AlertSilenceEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column({ name: 'metric_type', type: 'varchar', length: 32, nullable: true }) metricType: MetricType | null;
  @Column({ type: 'text' }) reason: string;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt: Date;
  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}

export function toSilence(e: AlertSilenceEntity, now = Date.now()): AlertSilence {
  return {
    id: e.id,
    serverId: e.serverId,
    metricType: e.metricType,
    reason: e.reason,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    active: e.deletedAt === null && e.startsAt.getTime() <= now && e.endsAt.getTime() > now,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
  };
}

/** What the engine needs to know of a silence. */
export interface CachedSilence { id: string; ownerId: string; serverId: string | null; metricType: MetricType | null; startsAt: number; endsAt: number }
