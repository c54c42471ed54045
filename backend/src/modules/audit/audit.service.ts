import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import type { AuditPage } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import { AuditLogEntity, toAuditEntry } from './audit-log.entity';
import { AuditErrorCode, AuditException } from './audit.errors';
import { serverNotFound } from '../servers/servers.errors';

export interface AuditRecord {
  action: string;
  description: string;
  userId?: string | null;
  serverId?: string | null;
  meta?: RequestMeta;
  success?: boolean;
  /**
   * Owner of `serverId`. Looked up when omitted; pass it when the server is already gone (a
   * deletion records after the fact).
   */
  ownerId?: string | null;
  /**
   * The team the entry is about (every member sees it). Taken from the server when omitted; pass it
   * for team actions and for a server moved out of a team (the team it left).
   */
  teamId?: string | null;
}

/** A chat action says which door it came through (the `channel` column keeps it for filtering too); the suffix survives the length cap. */
function withChannel(description: string, channel: string | undefined): string {
  const via = channel ? ` (via chat, ${channel})` : '';
  return description.slice(0, 1000 - via.length) + via;
}

export interface AuditQuery { serverId?: string; action?: string; limit?: number; before?: string }

/** Cursor = base64url("<createdAt ISO>|<id>"): stable under equal timestamps. */
const encodeCursor = (e: AuditLogEntity) => Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string | null } {
  const plain = new Date(cursor);
  if (/^\d{4}-\d{2}-\d{2}/.test(cursor) && !Number.isNaN(plain.getTime())) return { at: plain, id: null };
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso);
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AuditException(AuditErrorCode.BadCursor, 'before must be a nextCursor value or an ISO-8601 time');
  }
  return { at, id };
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditLogEntity) private readonly repo: Repository<AuditLogEntity>) {}

  /**
   * Writes one audit row. Auditing never breaks the action it records: failures are logged.
   * An entry about a server keeps the server's owner (personal server) or team (team server), and
   * one where an admin acted on somebody else's server, or on a team server without a role in the
   * team (break-glass), says so (`acting_as_admin`, and in the description), so the owner's or the
   * team's audit log shows what others did to their servers.
   */
  async record(r: AuditRecord): Promise<void> {
    try {
      // One statement: the server's owner (unless given: a deleted server's) and the actor's role
      // are looked up inside the INSERT, so auditing costs one round trip.
      await this.repo.query(
        `INSERT INTO audit_logs (action, description, user_id, server_id, owner_id, team_id, acting_as_admin, ip, user_agent, success, channel)
         SELECT $1, left(CASE WHEN NOT t.acting THEN $2
                              WHEN t.team_id IS NOT NULL THEN $2 || ' [break-glass: instance admin ' || t.username || ' holds no role in the team]'
                              ELSE $2 || ' [admin ' || t.username || ' acting on a server owned by another user]' END, 1000),
                $3, $4, t.owner_id, t.team_id, t.acting, $7, $8, $9, $10
           FROM (
             SELECT CASE WHEN o.team_id IS NULL THEN o.owner_id END AS owner_id, o.team_id,
                    coalesce($3::uuid IS NOT NULL AND u.role = 'admin' AND CASE
                      WHEN o.team_id IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = o.team_id AND m.user_id = $3::uuid)
                      ELSE o.owner_id IS NOT NULL AND o.owner_id <> $3::uuid END, false) AS acting,
                    u.username
               FROM (SELECT CASE WHEN $5::boolean THEN $6::uuid ELSE s.owner_id END AS owner_id,
                            CASE WHEN $11::boolean THEN $12::uuid ELSE s.team_id END AS team_id
                       FROM (SELECT 1) one LEFT JOIN servers s ON s.id = $4::uuid) o
               LEFT JOIN users u ON u.id = $3::uuid
           ) t`,
        [
          r.action,
          withChannel(r.description, r.meta?.channel),
          r.userId ?? null,
          r.serverId ?? null,
          r.ownerId !== undefined,
          r.ownerId ?? null,
          r.meta?.ip?.slice(0, 64) ?? null,
          r.meta?.userAgent ?? null,
          r.success ?? true,
          r.meta?.channel ?? null,
          r.teamId !== undefined,
          r.teamId ?? null,
        ],
      );
    } catch (err) {
      this.logger.error({ err, action: r.action }, 'Could not write an audit row');
    }
  }

  /**
   * Newest first. Users see what they did, what happened on their personal servers (including what
   * an admin did to them, and to servers since deleted) and everything about their teams and the
   * teams' servers (break-glass entries included); admins see all.
   * `serverVisible` tells whether a server filter names one of the user's servers.
   */
  async list(user: AuthUser, q: AuditQuery, serverVisible: (id: string) => Promise<boolean>): Promise<AuditPage> {
    // serverVisible is the servers module's ownership check, passed in by the controller
    const limit = q.limit ?? 50;
    if (q.serverId && (!isAdmin(user) || user.token?.teamScope) && !(await serverVisible(q.serverId))) {
      throw serverNotFound();
    }
    const qb = this.repo.createQueryBuilder('a');
    const scope = user.token?.teamScope;
    if (scope) {
      // A personal API token limited to teams: those teams' entries (while a member), and with `personal` the user's own.
      qb.andWhere(
        new Brackets((w) => {
          w.where('a.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = :uid AND m.team_id = ANY(:teamIds::uuid[]))', { uid: user.id, teamIds: scope.teamIds });
          if (scope.personal) w.orWhere('(a.team_id IS NULL AND (a.user_id = :uid OR a.owner_id = :uid))', { uid: user.id });
        }),
      );
    } else if (!isAdmin(user)) {
      qb.andWhere(
        new Brackets((w) =>
          w.where('a.user_id = :uid', { uid: user.id })
            .orWhere('a.owner_id = :uid', { uid: user.id })
            .orWhere('a.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = :uid)', { uid: user.id }),
        ),
      );
    }
    if (q.serverId) qb.andWhere('a.server_id = :sid', { sid: q.serverId });
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    if (q.before) {
      const c = decodeCursor(q.before);
      if (c.id) qb.andWhere('(a.created_at, a.id) < (:at, :cid)', { at: c.at, cid: c.id });
      else qb.andWhere('a.created_at < :at', { at: c.at });
    }
    const rows = await qb.orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'DESC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toAuditEntry),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }
}
