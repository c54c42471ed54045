import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AlertThreshold, Comparison, MetricType, Severity } from '@chatops/protocol';
import type { CachedRule } from './alert-rules';

/** A rule. Deleted rules are kept (`deletedAt`): their alerts still point at them. */
@Entity('alert_thresholds')
export class AlertThresholdEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column({ name: 'metric_type', type: 'varchar', length: 32 }) metricType: MetricType;
  @Column({ type: 'varchar', length: 8 }) comparison: Comparison;
  @Column({ name: 'threshold_value', type: 'double precision' }) thresholdValue: number;
  @Column({ type: 'boolean' }) enabled: boolean;
  @Column({ type: 'varchar', length: 16 }) severity: Severity;
  @Column({ name: 'duration_sec', type: 'integer' }) durationSec: number;
  @Column({ name: 'clear_value', type: 'double precision', nullable: true }) clearValue: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) target: string | null;
  @Column({ name: 'channel_ids', type: 'uuid', array: true }) channelIds: string[];
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  /** Who created it; null once that account is deleted (the name stays in `createdByUsername`). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_by_username', type: 'varchar', length: 64, nullable: true }) createdByUsername: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}

export function toThreshold(e: AlertThresholdEntity): AlertThreshold {
  return {
    id: e.id,
    serverId: e.serverId,
    metricType: e.metricType,
    comparison: e.comparison,
    thresholdValue: e.thresholdValue,
    enabled: e.enabled,
    severity: e.severity,
    durationSec: e.durationSec,
    clearValue: e.clearValue,
    target: e.target,
    channelIds: e.channelIds ?? [],
    name: e.name,
    description: e.description,
    createdBy: e.createdBy ?? null,
    createdByUsername: e.createdByUsername ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** The row as the engine holds it. */
export interface ThresholdRow {
  id: string; owner_id: string; server_id: string | null; metric_type: MetricType; comparison: Comparison;
  threshold_value: number; enabled: boolean; severity: Severity; duration_sec: number; clear_value: number | null;
  target: string | null; channel_ids: string[]; name: string | null; deleted_at: Date | null;
}

export function toCachedRule(e: AlertThresholdEntity): CachedRule {
  return {
    id: e.id, ownerId: e.ownerId, serverId: e.serverId, metricType: e.metricType, comparison: e.comparison,
    thresholdValue: e.thresholdValue, clearValue: e.clearValue, durationSec: e.durationSec, severity: e.severity,
    target: e.target, channelIds: e.channelIds ?? [], enabled: e.enabled, name: e.name,
  };
}

export function rowToCachedRule(r: ThresholdRow): CachedRule {
  return {
    id: r.id, ownerId: r.owner_id, serverId: r.server_id, metricType: r.metric_type, comparison: r.comparison,
    thresholdValue: r.threshold_value, clearValue: r.clear_value, durationSec: r.duration_sec, severity: r.severity,
    target: r.target, channelIds: r.channel_ids ?? [], enabled: r.enabled, name: r.name,
  };
}
