import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { AlertResolveReason, AlertThreshold } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AuditService } from '../audit/audit.service';
import { ChannelsService } from '../notifications/channels.service';
import { AccessService, callerServersSql, reachesOwnUnscoped, seesAllServers } from '../access/access.service';
import type { Capability } from '@chatops/protocol';
import { AlertPublisher } from './alert-publisher.service';
import { AlertRuleCache, resetsState } from './alert-rule-cache.service';
import { ruleProblems } from './alert-rules';
import { AlertStore } from './alert-store.service';
import { AlertThresholdEntity, toCachedRule, toThreshold } from './alert-threshold.entity';
import { AlertErrorCode, AlertException } from './alerts.errors';
import { CreateThresholdDto, UpdateThresholdDto } from './dto/threshold.dto';

/**
 * Rules. A rule scoped to one server is the server's: everyone who may read the server's alerts
 * sees it (whoever created it), and changing or deleting it needs `rules.manage` there. A rule for
 * "all my servers" (no serverId) is its creator's alone and applies only to their personal servers.
 * A change applies to the engine at once here, within ALERT_SYNC_MS elsewhere.
 */
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

  /**
   * Without `serverId`: your all-servers rules and the rules on your servers (personal and your
   * teams'; the instance admin also sees the rules they created elsewhere). With it: the rules that
   * apply to that server, i.e. its own and, on a personal server, its owner's all-servers rules.
   */
  async list(user: AuthUser, serverId?: string): Promise<AlertThreshold[]> {
    const qb = this.repo.createQueryBuilder('t')
      .where('t.deleted_at IS NULL')
      .orderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    if (serverId) {
      const server = await this.access.require(user, serverId, 'alerts.read');
      if (server.teamId) qb.andWhere('t.server_id = :sid', { sid: serverId });
      else qb.andWhere('(t.server_id = :sid OR (t.server_id IS NULL AND t.owner_id = :owner))', { sid: serverId, owner: server.ownerId });
    } else {
      qb.andWhere(`((${reachesOwnUnscoped(user) ? '' : 'false AND '}t.server_id IS NULL AND t.owner_id = :uid)
        OR t.server_id IN (SELECT s.id FROM servers s WHERE ${callerServersSql(user, 's', ':uid', false)})
        ${seesAllServers(user) ? 'OR t.owner_id = :uid' : ''})`, { uid: user.id });
    }
    return (await qb.getMany()).map(toThreshold);
  }

  async get(user: AuthUser, id: string): Promise<AlertThreshold> {
    return toThreshold(await this.granted(user, id, 'alerts.read'));
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
      createdBy: user.id,
      createdByUsername: user.username,
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
    const row = await this.granted(user, id, 'rules.manage', meta);
    const previous = toCachedRule(row);
    if (dto.serverId === null && row.serverId && row.ownerId !== user.id) {
      throw new AlertException(AlertErrorCode.InvalidRule, 'Only its creator may make this rule apply to all their servers',
        [{ field: 'serverId', errors: ['only the rule\'s creator may set it to null (all their servers)'] }]);
    }
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
    const row = await this.granted(user, id, 'rules.manage', meta);
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

  /**
   * The rule if the caller holds `capability` on its server (an all-servers rule: if they created
   * it); otherwise 404 as for an unknown id, or 403 when they see the server but lack the capability.
   */
  private async granted(user: AuthUser, id: string, capability: Capability, meta?: RequestMeta): Promise<AlertThresholdEntity> {
    const notFound = () => new AlertException(AlertErrorCode.ThresholdNotFound, 'Alert threshold not found');
    const row = await this.repo.findOneBy({ id, deletedAt: IsNull() });
    if (!row) throw notFound();
    if (!row.serverId) {
      if (row.ownerId !== user.id) throw notFound();
    } else {
      await this.access.require(user, row.serverId, capability, meta, notFound);
    }
    return row;
  }

  private async check(user: AuthUser, row: AlertThresholdEntity): Promise<void> {
    const problems = ruleProblems(row);
    if (problems.length) {
      throw new AlertException(AlertErrorCode.InvalidRule, `Invalid rule: ${problems.join('; ')}`,
        problems.map((p) => ({ field: p.split(':')[0], errors: [p.slice(p.indexOf(':') + 2)] })));
    }
    // The channels are the rule creator's, whoever edits it.
    const missing = await this.channels.missing(row.ownerId, row.channelIds);
    if (missing.length) {
      const whose = row.ownerId === user.id ? 'your channels' : 'the channels of the rule\'s creator';
      throw new AlertException(AlertErrorCode.UnknownChannel, `Unknown notification channel: ${missing.join(', ')}`,
        [{ field: 'channelIds', errors: missing.map((id) => `${id} is not one of ${whose}`) }]);
    }
  }
}

function describe(r: AlertThresholdEntity): string {
  const name = r.name ? `"${r.name}" ` : '';
  return `${name}${r.metricType}${r.target ? `[${r.target}]` : ''} ${r.comparison} ${r.thresholdValue}${r.durationSec ? ` for ${r.durationSec} s` : ''} (${r.severity})`;
}
