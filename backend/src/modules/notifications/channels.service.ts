import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { ChannelTestResult, NotificationChannel, NotificationDelivery } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { ChannelEntity, previewUrl, toChannel, type ChannelSecrets } from './channel.entity';
import { DeliveryLog } from './delivery-log.service';
import { CreateChannelDto, UpdateChannelDto } from './dto/channel.dto';
import { NotificationErrorCode, NotificationException } from './notifications.errors';
import { SECRET_BOX, SecretBox } from './secret-box';
import { ChannelSender } from './senders';
import { urlProblem } from './url-guard';

/** A user's notification channels: CRUD, secrets sealed at rest, and the test message. */
@Injectable()
export class ChannelsService {
  private readonly logger = new Logger(ChannelsService.name);
  readonly sender: ChannelSender;

  constructor(
    @InjectRepository(ChannelEntity) private readonly repo: Repository<ChannelEntity>,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly log: DeliveryLog,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {
    this.sender = new ChannelSender(config);
  }

  async list(user: AuthUser): Promise<NotificationChannel[]> {
    return (await this.repo.find({ where: { ownerId: user.id }, order: { createdAt: 'ASC', id: 'ASC' } })).map(toChannel);
  }

  async get(user: AuthUser, id: string): Promise<NotificationChannel> {
    return toChannel(await this.own(user, id));
  }

  async create(user: AuthUser, dto: CreateChannelDto, meta: RequestMeta): Promise<NotificationChannel> {
    const now = new Date();
    const row = this.repo.create({
      id: randomUUID(), ownerId: user.id, name: dto.name, type: dto.type, enabled: dto.enabled ?? true,
      urlPreview: null, emailTo: null, secretEnc: null, createdAt: now, updatedAt: now,
    });
    this.apply(row, {}, dto);
    await this.repo.insert(row);
    await this.audit.record({ action: 'channel.create', description: `Created ${row.type} notification channel "${row.name}"`, userId: user.id, meta });
    return toChannel(row);
  }

  async update(user: AuthUser, id: string, dto: UpdateChannelDto, meta: RequestMeta): Promise<NotificationChannel> {
    const row = await this.own(user, id);
    const secrets = this.secretsOf(row);
    if (dto.name !== undefined) row.name = dto.name;
    if (dto.enabled !== undefined) row.enabled = dto.enabled;
    this.apply(row, secrets, { ...dto, type: row.type });
    row.updatedAt = new Date();
    await this.repo.save(row);
    const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    await this.audit.record({ action: 'channel.update', description: `Updated notification channel "${row.name}" (${changed.join(', ') || 'no fields'})`, userId: user.id, meta });
    return toChannel(row);
  }

  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const row = await this.own(user, id);
    await this.repo.delete({ id });
    // Rules stop naming it (their other channels stay): the alerts module listens.
    this.events.emit('notification.channel_deleted', { channelId: id, ownerId: user.id });
    await this.audit.record({ action: 'channel.delete', description: `Deleted notification channel "${row.name}"`, userId: user.id, meta });
  }

  /** Sends a test message now (no queue, no retry) and says how it went; logged as a `test` delivery. */
  async test(user: AuthUser, id: string): Promise<ChannelTestResult> {
    const row = await this.own(user, id);
    const deliveryId = randomUUID();
    const attempt = await this.sender.send(row, this.secretsOf(row), { kind: 'test', alerts: [], deliveryId, publicUrl: this.config.publicUrl });
    await this.log.insert({ channelId: row.id, ownerId: user.id, kind: 'test', status: attempt.ok ? 'sent' : 'failed', alerts: [], detail: attempt.error, attempts: [attempt], sentAt: attempt.ok ? new Date() : null })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'Could not log a channel test'));
    return { ok: attempt.ok, statusCode: attempt.statusCode, error: attempt.error, durationMs: attempt.durationMs };
  }

  async deliveries(user: AuthUser, id: string): Promise<NotificationDelivery[]> {
    await this.own(user, id);
    return this.log.forChannel(id);
  }

  /** The ids among `ids` that are not channels of this user. */
  async missing(userId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const found = new Set((await this.repo.find({ where: { id: In(ids), ownerId: userId }, select: { id: true } })).map((c) => c.id));
    return ids.filter((id) => !found.has(id));
  }

  /** Enabled channels of the owner among `ids`, for delivery. */
  enabledAmong(ownerId: string, ids: string[]): Promise<ChannelEntity[]> {
    return this.repo.find({ where: { id: In(ids), ownerId, enabled: true } });
  }

  findById(id: string): Promise<ChannelEntity | null> {
    return this.repo.findOneBy({ id });
  }

  secretsOf(row: ChannelEntity): ChannelSecrets {
    if (!row.secretEnc) return {};
    try {
      return JSON.parse(this.box.open(row.secretEnc)) as ChannelSecrets;
    } catch {
      // A changed NOTIFY_SECRET_KEY / JWT_SECRET: the channel must be given its URL and secret again.
      this.logger.warn({ channelId: row.id }, 'Could not decrypt a channel secret (was the key changed?)');
      return {};
    }
  }

  /** Validates the type's fields and seals the secrets. */
  private apply(row: ChannelEntity, current: ChannelSecrets, dto: { type: ChannelEntity['type']; url?: string; secret?: string; emailTo?: string[] }): void {
    const bad = (field: string, error: string) =>
      new NotificationException(NotificationErrorCode.InvalidChannel, `${field}: ${error}`, [{ field, errors: [error] }]);
    const secrets: ChannelSecrets = { ...current };
    if (dto.type === 'email') {
      if (dto.url !== undefined || dto.secret !== undefined) throw bad('url', 'an email channel takes emailTo, not url or secret');
      if (dto.emailTo) row.emailTo = dto.emailTo;
      if (!row.emailTo?.length) throw bad('emailTo', 'an email channel needs at least one recipient');
      return;
    }
    if (dto.emailTo !== undefined) throw bad('emailTo', `a ${dto.type} channel takes url, not emailTo`);
    if (dto.type === 'slack' && dto.secret !== undefined) throw bad('secret', 'a slack channel has no signing secret (the URL is the secret)');
    if (dto.url !== undefined) {
      const problem = urlProblem(dto.url);
      if (problem) throw bad('url', problem);
      secrets.url = dto.url;
    }
    if (dto.secret !== undefined) secrets.secret = dto.secret;
    if (!secrets.url) throw bad('url', `a ${dto.type} channel needs a url`);
    if (dto.type === 'webhook' && !secrets.secret) throw bad('secret', 'a webhook channel needs a signing secret (16–256 characters)');
    row.urlPreview = previewUrl(secrets.url);
    row.secretEnc = this.box.seal(JSON.stringify(secrets));
  }

  private async own(user: AuthUser, id: string): Promise<ChannelEntity> {
    const row = await this.repo.findOneBy({ id, ownerId: user.id });
    if (!row) throw new NotificationException(NotificationErrorCode.ChannelNotFound, 'Notification channel not found');
    return row;
  }
}
