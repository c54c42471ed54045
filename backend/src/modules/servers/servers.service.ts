import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { isTeamRole, type AgentInfo, type ServerStatus } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { aliveInstancesSql } from '../../database/instance-liveness';
import { AuditService } from '../audit/audit.service';
import { AccessService, callerServersSql, grantFor } from '../access/access.service';
import { TeamsService } from '../teams/teams.service';
import { teamNotFound } from '../teams/teams.errors';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '../../common/db-errors';
import { CreateServerDto, UpdateServerDto } from './dto/server.dto';
import { ServerResponse } from './dto/server.response';
import { requireTokenScope, requireTokenTeamReach } from '../personal-tokens/token-scopes';
import { ServerEntity, toServer } from './server.entity';
import { serverNotFound, ServerErrorCode, ServerException } from './servers.errors';

const MAX_METADATA_BYTES = 16 * 1024;

/** What fleet-wide lookups need of a server (chat, completion): no metadata or agent info to load. */
export interface ServerBrief {
  id: string;
  name: string;
  status: ServerStatus;
  lastSeen: string | null;
  /** The server's tags; for a server without any, `metadata.tags` as stored (any JSON; callers interpret it). */
  tags: unknown;
}

@Injectable()
export class ServersService {
  constructor(
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly access: AccessService,
    private readonly teams: TeamsService,
  ) {}

  /**
   * The servers the user may see (the instance admin: all), each with the caller's access; `tag`:
   * only the servers carrying it (`tags @> ARRAY[tag]`, served by the GIN index).
   */
  async list(user: AuthUser, tag?: string): Promise<ServerResponse[]> {
    const qb = this.servers.createQueryBuilder('s')
      .leftJoin('team_members', 'm', 'm.team_id = s.team_id AND m.user_id = :uid', { uid: user.id })
      .addSelect('m.role', 'member_role')
      .orderBy('s.name', 'ASC')
      .addOrderBy('s.created_at', 'ASC');
    const visible = callerServersSql(user, 's', ':uid');
    if (visible) qb.andWhere(visible);
    if (tag !== undefined) qb.andWhere('s.tags @> ARRAY[:tag]::text[]', { tag });
    const { entities, raw } = await qb.getRawAndEntities<{ s_id: string; member_role: string | null }>();
    const roles = new Map(raw.map((r) => [r.s_id, r.member_role]));
    return entities.flatMap((s) => {
      const role = roles.get(s.id);
      const access = grantFor(user, s, isTeamRole(role) ? role : null);
      return access ? [{ ...toServer(s), access }] : [];
    });
  }

  /** The servers the user may see (admins: all), briefly, by name: one query, no entity hydration. */
  async listBrief(user: AuthUser): Promise<ServerBrief[]> {
    const visible = callerServersSql(user, 's', '$1');
    const rows = (await this.db.query(
      `SELECT id, name, status, last_seen,
              CASE WHEN cardinality(tags) > 0 THEN to_jsonb(tags) ELSE metadata -> 'tags' END AS tags FROM servers s
        ${visible ? `WHERE ${visible}` : ''} ORDER BY name, created_at`,
      visible ? [user.id] : [],
    )) as { id: string; name: string; status: ServerStatus; last_seen: Date | null; tags: unknown }[];
    return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, lastSeen: r.last_seen ? r.last_seen.toISOString() : null, tags: r.tags }));
  }

  async get(user: AuthUser, id: string): Promise<ServerResponse> {
    const server = await this.access.require(user, id, 'server.read');
    return { ...toServer(server), access: server.access };
  }

  async create(user: AuthUser, dto: CreateServerDto, meta: RequestMeta): Promise<ServerResponse> {
    // A new server is the caller's with every capability: a scoped token needs server.manage to make one.
    requireTokenScope(user, 'server.manage');
    requireTokenTeamReach(user, null);
    checkMetadata(dto.metadata);
    const server = await this.servers.save(this.servers.create({
      ownerId: user.id,
      name: dto.name,
      host: dto.host ?? null,
      port: dto.port ?? null,
      metadata: dto.metadata ?? {},
      tags: dto.tags ?? [],
      status: 'unknown',
    }));
    await this.audit.record({ action: 'server.create', description: `Created server "${server.name}"`, userId: user.id, serverId: server.id, meta });
    return toServer(server);
  }

  async update(user: AuthUser, id: string, dto: UpdateServerDto, meta: RequestMeta): Promise<ServerResponse> {
    checkMetadata(dto.metadata);
    const server = await this.access.require(user, id, 'server.manage', meta);
    const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    if (dto.name !== undefined) server.name = dto.name;
    if (dto.host !== undefined) server.host = dto.host;
    if (dto.port !== undefined) server.port = dto.port;
    if (dto.metadata !== undefined) server.metadata = dto.metadata;
    const tagsBefore = server.tags;
    if (dto.tags !== undefined) server.tags = dto.tags;
    const saved = await this.servers.save(server);
    await this.audit.record({
      action: 'server.update',
      description: `Updated server "${saved.name}" (${changed.join(', ') || 'no fields'})${dto.tags !== undefined ? describeTagChange(tagsBefore, saved.tags) : ''}`,
      userId: user.id,
      serverId: id,
      meta,
    });
    return { ...toServer(saved), access: server.access };
  }

  /**
   * Moves a server to a team (`teamId`; the caller must be an admin of that team) or to the caller
   * personally (null). Needs `server.manage` on the server. Audited for the team it joins and the
   * team it leaves; live subscribers who lose sight of it are dropped.
   */
  async move(user: AuthUser, id: string, teamId: string | null, meta: RequestMeta): Promise<ServerResponse> {
    const server = await this.access.require(user, id, 'server.manage', meta);
    requireTokenTeamReach(user, teamId);
    const team = teamId ? await this.teams.requireAdminOf(user, teamId) : null;
    const previousTeamId = server.teamId;
    const ownerId = team ? server.ownerId : user.id;
    try {
      await this.db.query('UPDATE servers SET team_id = $2, owner_id = $3, updated_at = now() WHERE id = $1', [id, team?.id ?? null, ownerId]);
    } catch (err) {
      // The team was deleted meanwhile (servers.team_id references it).
      if (sqlStateOf(err) === FOREIGN_KEY_VIOLATION) throw teamNotFound();
      throw err;
    }
    const where = team ? `team "${team.name}"` : `${user.username} personally`;
    await this.audit.record({
      action: 'server.move', description: `Moved server "${server.name}" to ${where}`, userId: user.id, serverId: id, teamId: team?.id ?? null, meta,
    });
    if (previousTeamId && previousTeamId !== team?.id) {
      await this.audit.record({
        action: 'server.move', description: `Moved server "${server.name}" out of the team to ${where}`, userId: user.id, serverId: id, teamId: previousTeamId, meta,
      });
    }
    await this.events.emitAsync('server.owner_changed', { serverId: id, ownerId, teamId: team?.id ?? null, previousTeamId });
    return this.get(user, id);
  }

  /**
   * Deletes the server and everything that belongs to it (keys, samples, alerts, history,
   * connection events) in one transaction: every child table references it ON DELETE CASCADE.
   * The audit trail is kept on purpose.
   */
  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const server = await this.access.require(user, id, 'server.manage', meta);
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT id FROM servers WHERE id = $1 FOR UPDATE', [id]);
      await tx.query('DELETE FROM servers WHERE id = $1', [id]);
    });
    this.events.emit('server.deleted', { serverId: id });
    await this.audit.record({
      action: 'server.delete',
      description: `Deleted server "${server.name}"`,
      userId: user.id,
      serverId: id,
      ownerId: server.ownerId,
      teamId: server.teamId,
      meta,
    });
  }

  // ---- used by the agents module -------------------------------------------------------

  findById(id: string): Promise<ServerEntity | null> {
    return this.servers.findOneBy({ id });
  }

  async setStatus(id: string, status: ServerStatus, lastSeen: Date | null): Promise<void> {
    await this.servers.update({ id }, lastSeen ? { status, lastSeen } : { status });
    this.events.emit('server.status', { serverId: id, status, lastSeen });
  }

  /**
   * An agent connection registered on the instance `instance` (its presence id): the server is
   * online and the connection takes the server's next agent generation, which is returned (null:
   * the server is gone).
   */
  async claimAgent(id: string, at: Date, instance: number): Promise<number | null> {
    const [rows] = (await this.db.query(
      `UPDATE servers SET status = 'online', last_seen = $2, agent_generation = agent_generation + 1, agent_instance = $3
       WHERE id = $1 RETURNING agent_generation`,
      [id, at, instance],
    )) as [{ agent_generation: string }[], number];
    if (!rows.length) return null;
    this.events.emit('server.status', { serverId: id, status: 'online', lastSeen: at });
    return Number(rows[0].agent_generation);
  }

  /**
   * The connection of `generation` went away: the server goes offline unless a newer connection
   * (on this or another instance) holds it by now. Returns whether it was marked offline.
   */
  async releaseAgent(id: string, generation: number, lastSeen: Date): Promise<boolean> {
    const [rows] = (await this.db.query(
      `UPDATE servers SET status = 'offline', last_seen = $3
       WHERE id = $1 AND agent_generation = $2 AND status = 'online' RETURNING id`,
      [id, generation, lastSeen],
    )) as [{ id: string }[], number];
    if (!rows.length) return false;
    this.events.emit('server.status', { serverId: id, status: 'offline', lastSeen });
    return true;
  }

  /**
   * Servers held (per their last registration) by an instance that died: "online" with an
   * `agent_instance` whose presence lock nobody holds any more. Marked offline in one statement
   * (a row is marked once however many instances run this); emits their status.
   */
  async markDeadInstancesOffline(lockClass: number): Promise<string[]> {
    const [rows] = (await this.db.query(
      `UPDATE servers SET status = 'offline'
        WHERE status = 'online' AND agent_instance IS NOT NULL AND agent_instance NOT IN (${aliveInstancesSql('$1')})
       RETURNING id, last_seen`,
      [lockClass],
    )) as [{ id: string; last_seen: Date | null }[], number];
    for (const r of rows) this.events.emit('server.status', { serverId: r.id, status: 'offline', lastSeen: r.last_seen });
    return rows.map((r) => r.id);
  }

  /** After this instance lost its presence for a while: its still-connected servers are online again. */
  async reassertOnline(held: { serverId: string; generation: number }[], instance: number): Promise<void> {
    if (!held.length) return;
    const [rows] = (await this.db.query(
      `UPDATE servers s SET status = 'online', agent_instance = $3
         FROM unnest($1::uuid[], $2::bigint[]) AS h(id, generation)
        WHERE s.id = h.id AND s.agent_generation = h.generation AND s.status <> 'online'
       RETURNING s.id, s.last_seen`,
      [held.map((h) => h.serverId), held.map((h) => h.generation), instance],
    )) as [{ id: string; last_seen: Date | null }[], number];
    for (const r of rows) this.events.emit('server.status', { serverId: r.id, status: 'online', lastSeen: r.last_seen });
  }

  async setAgentInfo(id: string, agent: AgentInfo): Promise<void> {
    await this.servers.update({ id }, { agent });
  }

  async touchLastSeen(ids: string[], at: Date): Promise<void> {
    if (ids.length) await this.db.query('UPDATE servers SET last_seen = $2 WHERE id = ANY($1::uuid[])', [ids, at]);
  }

  /**
   * Marks offline the servers still "online" whose agent has not been heard of for `silentSec`
   * by any instance (e.g. after a backend crash), except those connected here. Emits their status.
   */
  async markSilentOffline(silentSec: number, connectedHere: string[]): Promise<string[]> {
    const [rows] = (await this.db.query(
      `UPDATE servers SET status = 'offline'
       WHERE status = 'online' AND (last_seen IS NULL OR last_seen < now() - make_interval(secs => $1))
         AND NOT (id = ANY($2::uuid[]))
       RETURNING id, last_seen`,
      [silentSec, connectedHere],
    )) as [{ id: string; last_seen: Date | null }[], number];
    for (const r of rows) this.events.emit('server.status', { serverId: r.id, status: 'offline', lastSeen: r.last_seen });
    return rows.map((r) => r.id);
  }
}

/** What a tag update did, for the audit trail: ` tags +prod -staging`, or nothing when they did not change. */
function describeTagChange(before: string[], after: string[]): string {
  const added = after.filter((t) => !before.includes(t)).map((t) => `+${t}`);
  const removed = before.filter((t) => !after.includes(t)).map((t) => `-${t}`);
  return added.length || removed.length ? `: tags ${[...added, ...removed].join(' ')}` : '';
}

function checkMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw new ServerException(ServerErrorCode.MetadataTooLarge, `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
  }
}
