import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { AlertSilence } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import { AccessService, callerServersSql, reachesOwnUnscoped, seesAllServers } from '../access/access.service';
import { AlertRuleCache } from './alert-rule-cache.service';
import { AlertSilenceEntity, toSilence } from './alert-silence.entity';
import { AlertErrorCode, AlertException } from './alerts.errors';
import { CreateSilenceDto } from './dto/silence.dto';

const MAX_SILENCE_MS = 366 * 86_400_000;

/**
 * Silences: alerts still fire and are recorded (marked silenced); notifications are muted. A silence
 * on one server is the server's: it mutes every rule there (on a team server, whoever created the
 * rule), everyone who reads the server's alerts sees it, and ending it needs `alerts.manage` there.
 * An all-servers silence is its creator's and mutes only their rules on their personal servers.
 */
@Injectable()
export class SilencesService {
  constructor(
    @InjectRepository(AlertSilenceEntity) private readonly repo: Repository<AlertSilenceEntity>,
    private readonly access: AccessService,
    private readonly cache: AlertRuleCache,
    private readonly audit: AuditService,
  ) {}

  /** Yours and those on your servers (personal and your teams'), newest first, ended ones included (`active` tells). */
  async list(user: AuthUser): Promise<AlertSilence[]> {
    const rows = await this.repo.createQueryBuilder('x')
      .where('x.deleted_at IS NULL')
      .andWhere(`((${reachesOwnUnscoped(user) ? '' : 'false AND '}x.server_id IS NULL AND x.owner_id = :uid)
        OR x.server_id IN (SELECT s.id FROM servers s WHERE ${callerServersSql(user, 's', ':uid', false)})
        ${seesAllServers(user) ? 'OR x.owner_id = :uid' : ''})`, { uid: user.id })
      .orderBy('x.created_at', 'DESC').addOrderBy('x.id', 'DESC')
      .take(500)
      .getMany();
    return rows.map((r) => toSilence(r));
  }

  async create(user: AuthUser, dto: CreateSilenceDto, meta: RequestMeta): Promise<AlertSilence> {
    const server = dto.serverId ? await this.access.require(user, dto.serverId, 'alerts.manage', meta) : null;
    const endsAt = new Date(dto.endsAt);
    const now = new Date();
    if (endsAt.getTime() <= now.getTime() || endsAt.getTime() - now.getTime() > MAX_SILENCE_MS) {
      throw new AlertException(AlertErrorCode.InvalidSilence, 'endsAt must be in the future and at most one year ahead',
        [{ field: 'endsAt', errors: ['must be in the future and at most one year ahead'] }]);
    }
    const row = this.repo.create({
      id: randomUUID(), ownerId: user.id, serverId: dto.serverId ?? null, metricType: dto.metricType ?? null, reason: dto.reason,
      startsAt: now, endsAt, createdBy: user.username, createdAt: now, updatedAt: now, deletedAt: null,
    });
    await this.repo.insert(row);
    this.cache.putSilence({ id: row.id, ownerId: row.ownerId, serverId: row.serverId, metricType: row.metricType, startsAt: now.getTime(), endsAt: endsAt.getTime() });
    await this.audit.record({
      action: 'silence.create',
      description: `Silenced ${row.metricType ?? 'all'} alerts on ${server ? `server ${server.name}` : 'all servers'} until ${endsAt.toISOString()}: ${row.reason.slice(0, 200)}`,
      userId: user.id, serverId: row.serverId, meta,
    });
    return toSilence(row);
  }

  /** Ends the silence now. */
  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const notFound = () => new AlertException(AlertErrorCode.SilenceNotFound, 'Silence not found');
    const row = await this.repo.findOneBy({ id, deletedAt: IsNull() });
    if (!row) throw notFound();
    if (!row.serverId) {
      if (row.ownerId !== user.id) throw notFound();
    } else {
      await this.access.require(user, row.serverId, 'alerts.manage', meta, notFound);
    }
    await this.repo.update({ id }, { deletedAt: () => 'now()', updatedAt: () => 'now()' });
    this.cache.putSilence({ removed: id });
    await this.audit.record({ action: 'silence.delete', description: `Removed silence: ${row.reason.slice(0, 200)}`, userId: user.id, serverId: row.serverId, meta });
  }
}
