import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { AlertResolveReason, AlertThreshold } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AuditService } from '../audit/audit.service';
import { ChannelsService } from '../notifications/channels.service';
import { AccessService } from '../access/access.service';
import { AlertPublisher } from './alert-publisher.service';
import { AlertRuleCache, resetsState } from './alert-rule-cache.service';
import { ruleProblems } from './alert-rules';
import { AlertStore } from './alert-store.service';
import { AlertThresholdEntity, toCachedRule, toThreshold } from './alert-threshold.entity';
import { AlertErrorCode, AlertException } from './alerts.errors';
import { CreateThresholdDto, UpdateThresholdDto } from './dto/threshold.dto';

/** Rules: CRUD for their owner. A change applies to the engine at once here, within ALERT_SYNC_MS elsewhere. */
@Injectable()
export class ThresholdsService {
  constructor(
    @InjectRepository(AlertThresholdEntity) private readonly repo: Repository<AlertThresholdEntity>,
    private readonly access: AccessService,
    private readonly channels: ChannelsService,
    private readonly cache: AlertRuleCache,
    private readonly store: AlertStore,
    private readonly publisher: AlertPublisher,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, serverId?: string): Promise<AlertThreshold[]> {
    if (serverId) await this.access.require(user, serverId, 'alerts.read');
    const qb = this.repo.createQueryBuilder('t')
      .where('t.owner_id = :uid AND t.deleted_at IS NULL', { uid: user.id })
      .orderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    if (serverId) qb.andWhere('(t.server_id = :sid OR t.server_id IS NULL)', { sid: serverId });
    return (await qb.getMany()).map(toThreshold);
  }

  async get(user: AuthUser, id: string): Promise<AlertThreshold> {
    return toThreshold(await this.own(user, id));
  }

  async create(user: AuthUser, dto: CreateThresholdDto, meta: RequestMeta): Promise<AlertThreshold> {
    const serverName = dto.serverId ? (await this.access.require(user, dto.serverId, 'rules.manage', meta)).name : null;
    const now = new Date();
    const row = this.repo.create({
      id: randomUUID(),
      ownerId: user.id,
      serverId: dto.serverId ?? null,
      metricType: dto.metricType,
      comparison: dto.comparison,
      thresholdValue: dto.thresholdValue,
      enabled: dto.enabled ?? true,
      severity: dto.severity ?? 'warning',
      durationSec: dto.durationSec ?? 0,
      clearValue: dto.clearValue ?? null,
      target: dto.target ?? null,
      channelIds: [...new Set(dto.channelIds ?? [])],
      name: dto.name || null,
      description: dto.description || null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await this.check(user, row);
    await this.repo.insert(row);
    this.cache.put(toCachedRule(row));
    await this.audit.record({
      action: 'threshold.create',
      description: `Created alert rule ${describe(row)} on ${serverName ? `server ${serverName}` : 'all servers'}`,
      userId: user.id,
      serverId: row.serverId,
      meta,
    });
    return toThreshold(row);
  }

  async update(user: AuthUser, id: string, dto: UpdateThresholdDto, meta: RequestMeta): Promise<AlertThreshold> {
    const row = await this.own(user, id);
    const previous = toCachedRule(row);
    if (dto.serverId !== undefined && dto.serverId !== row.serverId && dto.serverId) await this.access.require(user, dto.serverId, 'rules.manage', meta);
    const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    for (const k of changed) (row as unknown as Record<string, unknown>)[k] = (dto as Record<string, unknown>)[k];
    if (dto.channelIds) row.channelIds = [...new Set(dto.channelIds)];
    row.updatedAt = new Date();
    await this.check(user, row);
    await this.repo.update({ id }, {
      serverId: row.serverId, metricType: row.metricType, comparison: row.comparison, thresholdValue: row.thresholdValue,
      enabled: row.enabled, severity: row.severity, durationSec: row.durationSec, clearValue: row.clearValue, target: row.target,
      channelIds: row.channelIds, name: row.name, description: row.description, updatedAt: () => 'now()',
    });
    const rule = toCachedRule(row);
    this.cache.put(rule);
    await this.audit.record({
      action: 'threshold.update',
      description: `Updated alert rule ${describe(row)} (${changed.join(', ') || 'no fields'})`,
      userId: user.id,
      serverId: row.serverId ?? previous.serverId,
      meta,
    });
    if (resetsState(previous, rule)) await this.resolveAll(id, !rule.enabled ? 'rule_disabled' : 'rule_changed');
    return toThreshold((await this.repo.findOneBy({ id }))!);
  }

  /** Deletes the rule (kept for its alerts' sake, invisible) and resolves its open alerts. */
  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const row = await this.own(user, id);
    await this.repo.update({ id }, { deletedAt: () => 'now()', enabled: false, updatedAt: () => 'now()' });
    this.cache.remove(id);
    await this.audit.record({ action: 'threshold.delete', description: `Deleted alert rule ${describe(row)}`, userId: user.id, serverId: row.serverId, meta });
    await this.resolveAll(id, 'rule_deleted');
  }

  /** A deleted channel leaves the rules that named it. */
  @OnChatopsEvent('notification.channel_deleted')
  async onChannelDeleted({ channelId, ownerId }: ChatopsEvents['notification.channel_deleted']): Promise<void> {
    const [rows] = (await this.repo.query(
      `UPDATE alert_thresholds SET channel_ids = array_remove(channel_ids, $1::uuid), updated_at = now()
        WHERE owner_id = $2 AND $1::uuid = ANY(channel_ids) RETURNING id`,
      [channelId, ownerId],
    )) as [{ id: string }[], number];
    for (const { id } of rows) {
      const row = await this.repo.findOneBy({ id });
      if (row && !row.deletedAt) this.cache.put(toCachedRule(row));
    }
  }

  private async resolveAll(ruleId: string, reason: AlertResolveReason): Promise<void> {
    for (const alert of await this.store.resolveRule(ruleId, reason)) await this.publisher.publish(alert, 'resolved');
  }

  private async own(user: AuthUser, id: string): Promise<AlertThresholdEntity> {
    const row = await this.repo.findOneBy({ id, ownerId: user.id, deletedAt: IsNull() });
    if (!row) throw new AlertException(AlertErrorCode.ThresholdNotFound, 'Alert threshold not found');
    return row;
  }

  private async check(user: AuthUser, row: AlertThresholdEntity): Promise<void> {
    const problems = ruleProblems(row);
    if (problems.length) {
      throw new AlertException(AlertErrorCode.InvalidRule, `Invalid rule: ${problems.join('; ')}`,
        problems.map((p) => ({ field: p.split(':')[0], errors: [p.slice(p.indexOf(':') + 2)] })));
    }
    const missing = await this.channels.missing(user.id, row.channelIds);
    if (missing.length) {
      throw new AlertException(AlertErrorCode.UnknownChannel, `Unknown notification channel: ${missing.join(', ')}`,
        [{ field: 'channelIds', errors: missing.map((id) => `${id} is not one of your channels`) }]);
    }
  }
}

function describe(r: AlertThresholdEntity): string {
  const name = r.name ? `"${r.name}" ` : '';
  return `${name}${r.metricType}${r.target ? `[${r.target}]` : ''} ${r.comparison} ${r.thresholdValue}${r.durationSec ? ` for ${r.durationSec} s` : ''} (${r.severity})`;
}
