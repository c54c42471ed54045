import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { AgentInfo, ServerStatus } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { aliveInstancesSql } from '../../database/instance-liveness';
import { AuditService } from '../audit/audit.service';
import { CreateServerDto, UpdateServerDto } from './dto/server.dto';
import { ServerResponse } from './dto/server.response';
import { ServerEntity, toServer } from './server.entity';
import { serverNotFound, ServerErrorCode, ServerException } from './servers.errors';

const MAX_METADATA_BYTES = 16 * 1024;

/** What fleet-wide lookups need of a server (chat, completion): no metadata or agent info to load. */
export interface ServerBrief {
  id: string;
  name: string;
  status: ServerStatus;
  lastSeen: string | null;
  /** `metadata.tags` as stored (any JSON; callers interpret it). */
  tags: unknown;
}

@Injectable()
export class ServersService {
  constructor(
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  /**
   * The one ownership check: the server if the user may see it (owner, or any admin), otherwise
   * 404 — the same answer as for an id that does not exist, so nothing about others leaks.
   */
  async getAccessible(user: AuthUser, id: string): Promise<ServerEntity> {
    const server = await this.servers.findOneBy(isAdmin(user) ? { id } : { id, ownerId: user.id });
    if (!server) throw serverNotFound();
    return server;
  }

  async isAccessible(user: AuthUser, id: string): Promise<boolean> {
    if (isAdmin(user)) return this.servers.existsBy({ id });
    return this.servers.existsBy({ id, ownerId: user.id });
  }

  async list(user: AuthUser): Promise<ServerResponse[]> {
    const rows = await this.servers.find({
      where: isAdmin(user) ? {} : { ownerId: user.id },
      order: { name: 'ASC', createdAt: 'ASC' },
    });
    return rows.map(toServer);
  }

  /** The servers the user may see (admins: all), briefly, by name: one query, no entity hydration. */
  async listBrief(user: AuthUser): Promise<ServerBrief[]> {
    const rows = (await this.db.query(
      `SELECT id, name, status, last_seen, metadata -> 'tags' AS tags FROM servers
        ${isAdmin(user) ? '' : 'WHERE owner_id = $1'} ORDER BY name, created_at`,
      isAdmin(user) ? [] : [user.id],
    )) as { id: string; name: string; status: ServerStatus; last_seen: Date | null; tags: unknown }[];
    return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, lastSeen: r.last_seen ? r.last_seen.toISOString() : null, tags: r.tags }));
  }

  async get(user: AuthUser, id: string): Promise<ServerResponse> {
    return toServer(await this.getAccessible(user, id));
  }

  async create(user: AuthUser, dto: CreateServerDto, meta: RequestMeta): Promise<ServerResponse> {
    checkMetadata(dto.metadata);
    const server = await this.servers.save(this.servers.create({
      ownerId: user.id,
      name: dto.name,
      host: dto.host ?? null,
      port: dto.port ?? null,
      metadata: dto.metadata ?? {},
      status: 'unknown',
    }));
    await this.audit.record({ action: 'server.create', description: `Created server "${server.name}"`, userId: user.id, serverId: server.id, meta });
    return toServer(server);
  }

  async update(user: AuthUser, id: string, dto: UpdateServerDto, meta: RequestMeta): Promise<ServerResponse> {
    checkMetadata(dto.metadata);
    const server = await this.getAccessible(user, id);
    const changed = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    if (dto.name !== undefined) server.name = dto.name;
    if (dto.host !== undefined) server.host = dto.host;
    if (dto.port !== undefined) server.port = dto.port;
    if (dto.metadata !== undefined) server.metadata = dto.metadata;
    const saved = await this.servers.save(server);
    await this.audit.record({
      action: 'server.update',
      description: `Updated server "${saved.name}" (${changed.join(', ') || 'no fields'})`,
      userId: user.id,
      serverId: id,
      meta,
    });
    return toServer(saved);
  }

  /**
   * Deletes the server and everything that belongs to it (keys, samples, alerts, history,
   * connection events) in one transaction: every child table references it ON DELETE CASCADE.
   * The audit trail is kept on purpose.
   */
  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const server = await this.getAccessible(user, id);
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

function checkMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw new ServerException(ServerErrorCode.MetadataTooLarge, `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
  }
}
