import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Alert, ChannelType, DeliveryAttempt, DeliveryKind, DeliveryStatus, NotificationDelivery } from '@chatops/protocol';

/** An alert as a message carries it. */
export type NotifiedAlert = Alert & { serverName: string | null };

export interface DeliveryRow {
  id: string;
  channel_id: string | null;
  owner_id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  alert_ids: string[];
  alerts: NotifiedAlert[];
  detail: string | null;
  attempts: DeliveryAttempt[];
  created_at: Date;
  sent_at: Date | null;
}

/** The persisted delivery log: one row per message to one channel. */
@Injectable()
export class DeliveryLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(d: { channelId: string; ownerId: string; kind: DeliveryKind; status: DeliveryStatus; alerts: NotifiedAlert[]; detail?: string | null; attempts?: DeliveryAttempt[]; sentAt?: Date | null }): Promise<string> {
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO notification_deliveries (id, channel_id, owner_id, kind, status, alert_ids, alerts, detail, attempts, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7::jsonb, $8, $9::jsonb, $10)`,
      [id, d.channelId, d.ownerId, d.kind, d.status, d.alerts.map((a) => a.id), JSON.stringify(d.alerts), d.detail ?? null,
        JSON.stringify(d.attempts ?? []), d.sentAt ?? null],
    );
    return id;
  }

  async get(id: string): Promise<DeliveryRow | null> {
    const rows = (await this.db.query('SELECT * FROM notification_deliveries WHERE id = $1', [id])) as DeliveryRow[];
    return rows[0] ?? null;
  }

  /** Appends an attempt and sets the status (sent_at when sent). */
  async record(id: string, attempt: DeliveryAttempt, status: DeliveryStatus): Promise<void> {
    await this.db.query(
      `UPDATE notification_deliveries SET attempts = attempts || $2::jsonb, status = $3::varchar, detail = $4,
              sent_at = CASE WHEN $3::varchar = 'sent' THEN now() ELSE sent_at END
        WHERE id = $1`,
      [id, JSON.stringify([attempt]), status, attempt.ok ? null : attempt.error],
    );
  }

  async setStatus(id: string, status: DeliveryStatus, detail: string): Promise<void> {
    await this.db.query('UPDATE notification_deliveries SET status = $2, detail = $3 WHERE id = $1', [id, status, detail]);
  }

  /** Whether notifications about this alert were suppressed by the cooldown (its later changes are too). */
  async cooledDown(alertId: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM notification_deliveries WHERE alert_ids @> ARRAY[$1]::uuid[] AND status = 'suppressed' AND detail LIKE 'cooldown%' LIMIT 1`,
      [alertId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Every message about the alert, newest first. */
  forAlert(alertId: string): Promise<NotificationDelivery[]> {
    return this.list('d.alert_ids @> ARRAY[$1]::uuid[]', alertId);
  }

  /** The channel's latest messages (tests included), newest first. */
  forChannel(channelId: string): Promise<NotificationDelivery[]> {
    return this.list('d.channel_id = $1', channelId);
  }

  private async list(where: string, param: string): Promise<NotificationDelivery[]> {
    const rows = (await this.db.query(
      `SELECT d.*, c.name AS channel_name, c.type AS channel_type FROM notification_deliveries d
         LEFT JOIN notification_channels c ON c.id = d.channel_id
        WHERE ${where} ORDER BY d.created_at DESC, d.id DESC LIMIT 200`,
      [param],
    )) as (DeliveryRow & { channel_name: string | null; channel_type: ChannelType | null })[];
    return rows.map((r) => ({
      id: r.id,
      channelId: r.channel_id,
      channelName: r.channel_name,
      channelType: r.channel_type,
      kind: r.kind,
      status: r.status,
      alertIds: r.alert_ids,
      detail: r.detail,
      attempts: r.attempts,
      createdAt: r.created_at.toISOString(),
      sentAt: r.sent_at ? r.sent_at.toISOString() : null,
    }));
  }
}
