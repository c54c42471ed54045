import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'pg-boss';
import { DataSource } from 'typeorm';
import type { DeliveryKind } from '@chatops/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { visibleServersSql } from '../access/access.service';
import { ChannelsService } from './channels.service';
import { DeliveryLog, type NotifiedAlert } from './delivery-log.service';
import { DELIVER_QUEUE, GROUP_QUEUE, NotificationQueue, type DeliverJob, type GroupJob } from './notification-queue.service';

/**
 * Turns alert changes into deliveries. Per channel, the first change of a rule opens a grouping
 * window and is sent at once; changes of the same rule (and kind) on other servers within the
 * window wait in the outbox and go out as one message when it closes — a fleet-wide incident is
 * one message listing the servers, not a storm. A key that fires again within the cooldown does
 * not notify again (nor do its acknowledgement and resolution). Silenced alerts notify nobody.
 * Every outcome, suppressed ones included, is in the delivery log. Windows and cooldowns are rows
 * claimed atomically, so instances sharing the database agree on them. A rule notifies its
 * creator's channels only while the creator may still see the alert's server (a member who left
 * the team, or a server moved away, hears nothing more of it).
 */
@Injectable()
export class Notifier implements OnModuleInit {
  private readonly logger = new Logger(Notifier.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly channels: ChannelsService,
    private readonly log: DeliveryLog,
    private readonly queue: NotificationQueue,
  ) {}

  onModuleInit(): void {
    this.queue.handle<DeliverJob>(DELIVER_QUEUE, (job) => this.deliver(job));
    this.queue.handle<GroupJob>(GROUP_QUEUE, (job) => this.flushGroup(job.data.groupKey));
  }

  @OnChatopsEvent('alert.changed')
  async onAlertChanged(e: ChatopsEvents['alert.changed']): Promise<void> {
    try {
      await this.route(e);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, alertId: e.alert.id }, 'Could not queue alert notifications');
    }
  }

  private async route({ alert, change, ownerId, channelIds, serverName, muted }: ChatopsEvents['alert.changed']): Promise<void> {
    if (!channelIds.length) return;
    const channels = await this.channels.enabledAmong(ownerId, channelIds);
    if (!channels.length) return;
    const item: NotifiedAlert = { ...alert, serverName };
    const suppress = (detail: string) => Promise.all(channels.map((c) =>
      this.log.insert({ channelId: c.id, ownerId, kind: change, status: 'suppressed', alerts: [item], detail })));
    if (!(await this.sees(ownerId, alert.serverId))) return void (await suppress('the rule\'s creator can no longer see this server'));
    if (muted) return void (await suppress(`silenced${alert.silenceId ? ` (silence ${alert.silenceId})` : ''}`));
    const cooldown = this.config.notify.cooldownSec;
    if (cooldown > 0) {
      if (change === 'fired') {
        const key = `cooldown|${alert.thresholdId}|${alert.serverId}|${alert.target ?? ''}`;
        if (!(await this.claim(key, cooldown))) return void (await suppress(`cooldown: this alert fired less than ${cooldown} s ago`));
      } else if (await this.log.cooledDown(alert.id)) {
        return void (await suppress(`cooldown: its firing was not notified`));
      }
    }
    const window = this.config.notify.groupWindowSec;
    for (const channel of channels) {
      const groupKey = `${channel.id}|${alert.thresholdId}|${change}`;
      if (window === 0 || (await this.claim(`group|${groupKey}`, window))) {
        const id = await this.log.insert({ channelId: channel.id, ownerId, kind: change, status: 'pending', alerts: [item] });
        await this.queue.deliver(id);
        continue;
      }
      await this.db.query(
        'INSERT INTO notification_outbox (group_key, channel_id, owner_id, kind, alert_id, alert) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
        [groupKey, channel.id, ownerId, change, alert.id, JSON.stringify(item)],
      );
      const [row] = (await this.db.query('SELECT until FROM notification_windows WHERE key = $1', [`group|${groupKey}`])) as { until: Date }[];
      await this.queue.flushGroupAt(groupKey, row?.until ?? new Date());
    }
  }

  /** Claims a window (grouping or cooldown): true for the first caller until it ends, on any instance. */
  /** Whether the user may currently see the server (the instance admin sees every server). */
  private async sees(userId: string, serverId: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM servers s WHERE s.id = $2 AND (${visibleServersSql('s', '$1')}
         OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.role = 'admin'))`,
      [userId, serverId],
    )) as unknown[];
    return rows.length > 0;
  }

  private async claim(key: string, seconds: number): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO notification_windows (key, until) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE notification_windows.until <= now()
       RETURNING until`,
      [key, seconds],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The window closed: everything that waited goes out as one message. */
  private async flushGroup(groupKey: string): Promise<void> {
    const [rows] = (await this.db.query(
      'DELETE FROM notification_outbox WHERE group_key = $1 RETURNING channel_id, owner_id, kind, alert_id, alert, id',
      [groupKey],
    )) as [{ channel_id: string; owner_id: string; kind: DeliveryKind; alert_id: string; alert: NotifiedAlert; id: string }[], number];
    if (!rows.length) return;
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    const seen = new Set<string>();
    const alerts = rows.filter((r) => !seen.has(r.alert_id) && seen.add(r.alert_id)).map((r) => r.alert);
    const id = await this.log.insert({ channelId: rows[0].channel_id, ownerId: rows[0].owner_id, kind: rows[0].kind, status: 'pending', alerts });
    await this.queue.deliver(id);
  }

  /** One attempt; throwing makes pg-boss retry it later (exponential backoff). */
  private async deliver(job: Job<DeliverJob>): Promise<void> {
    const d = await this.log.get(job.data.deliveryId);
    if (!d || d.status === 'sent' || d.status === 'suppressed') return;
    const channel = d.channel_id ? await this.channels.findById(d.channel_id) : null;
    if (!channel) return this.log.setStatus(d.id, 'failed', 'the channel was deleted');
    const attempt = await this.channels.sender.send(channel, this.channels.secretsOf(channel), {
      kind: d.kind, alerts: d.alerts, deliveryId: d.id, publicUrl: this.config.publicUrl,
    });
    const last = job.retryCount >= this.config.notify.retryLimit;
    await this.log.record(d.id, attempt, attempt.ok ? 'sent' : last ? 'failed' : 'pending');
    if (!attempt.ok) {
      this.logger.warn({ deliveryId: d.id, channelId: channel.id, attempt: job.retryCount + 1, error: attempt.error }, 'Notification delivery failed');
      if (!last) throw new Error(attempt.error ?? 'delivery failed');
    }
  }
}
