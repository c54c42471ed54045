import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { AlertSilence } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../access/access.service';
import { AlertRuleCache } from './alert-rule-cache.service';
import { AlertSilenceEntity, toSilence } from './alert-silence.entity';
import { AlertErrorCode, AlertException } from './alerts.errors';
import { CreateSilenceDto } from './dto/silence.dto';

const MAX_SILENCE_MS = 366 * 86_400_000;

/** Silences: alerts still fire and are recorded (marked silenced); notifications are muted. */
@Injectable()
export class SilencesService {
  constructor(
    @InjectRepository(AlertSilenceEntity) private readonly repo: Repository<AlertSilenceEntity>,
    private readonly access: AccessService,
    private readonly cache: AlertRuleCache,
    private readonly audit: AuditService,
  ) {}

  /** Newest first, ended ones included (`active` tells). */
  async list(user: AuthUser): Promise<AlertSilence[]> {
    const rows = await this.repo.find({ where: { ownerId: user.id, deletedAt: IsNull() }, order: { createdAt: 'DESC', id: 'DESC' }, take: 500 });
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
    const row = await this.repo.findOneBy({ id, ownerId: user.id, deletedAt: IsNull() });
    if (!row) throw new AlertException(AlertErrorCode.SilenceNotFound, 'Silence not found');
    await this.repo.update({ id }, { deletedAt: () => 'now()', updatedAt: () => 'now()' });
    this.cache.putSilence({ removed: id });
    await this.audit.record({ action: 'silence.delete', description: `Removed silence: ${row.reason.slice(0, 200)}`, userId: user.id, serverId: row.serverId, meta });
  }
}
