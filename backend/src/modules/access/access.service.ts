import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CAPABILITIES, READ_CAPABILITIES, ROLE_CAPABILITIES, isTeamRole, type Capability, type ServerAccess, type TeamRole } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import type { ChatopsEvents } from '../../events';
import { AuditService } from '../audit/audit.service';
import { ServerEntity } from '../servers/server.entity';
import { serverNotFound, ServerException } from '../servers/servers.errors';
import { capabilitiesAllowedByToken, requireTokenScope } from '../personal-tokens/token-scopes';
import { PersonalTokenException } from '../personal-tokens/personal-tokens.errors';
import { AccessErrorCode, AccessException } from './access.errors';

/** An access change: a server moved, or a team's members or roles changed (no `userIds`: the team went). */
export type AccessChange = ChatopsEvents['server.owner_changed'] | ChatopsEvents['team.members_changed'];

/** Something a user holds open on a server: a terminal session, a followed log. */
export interface HeldOnServer {
  user: AuthUser;
  serverId: string;
}

/** A server the caller may see, with how they reach it. */
export type GrantedServer = ServerEntity & { access: ServerAccess };

/**
 * How `user` reaches a server: its owner (personal server: every capability), a member of the team
 * that holds it (the role's capabilities), the instance admin without a role (reading, plus
 * break-glass), or not at all (null). With a personal API token, `capabilities` is narrowed to the
 * token's scopes.
 */
export function grantFor(user: AuthUser, server: { ownerId: string; teamId: string | null }, memberRole: TeamRole | null): ServerAccess | null {
  if (!tokenTeamScopeReaches(user, server, memberRole)) return null;
  const admin = isAdmin(user);
  if (!server.teamId) {
    if (server.ownerId === user.id) return { via: 'owner', teamId: null, capabilities: capabilitiesAllowedByToken(user, CAPABILITIES), breakGlass: false };
  } else if (memberRole) {
    const caps = ROLE_CAPABILITIES[memberRole];
    return { via: memberRole, teamId: server.teamId, capabilities: capabilitiesAllowedByToken(user, caps), breakGlass: admin && caps.length < CAPABILITIES.length };
  }
  return admin ? { via: 'instance_admin', teamId: server.teamId, capabilities: capabilitiesAllowedByToken(user, READ_CAPABILITIES), breakGlass: true } : null;
}

/**
 * Whether a personal API token limited to teams reaches the server: a team's server only when the
 * token names the team and the user is still a member (so leaving a team takes the reach away, and
 * the instance admin's reach without a role is not available to such a token); a personal server
 * only when the token names `personal` and the user owns it. Sessions and tokens not limited to teams: yes.
 */
export function tokenTeamScopeReaches(user: AuthUser, server: { ownerId: string; teamId: string | null }, memberRole: TeamRole | null): boolean {
  const scope = user.token?.teamScope;
  if (!scope) return true;
  return server.teamId ? memberRole !== null && scope.teamIds.includes(server.teamId) : scope.personal && server.ownerId === user.id;
}

/**
 * The one place that answers "may this user do X on this server": every route and socket event
 * about a server goes through `require` (or `can`), naming the capability it needs. One query
 * (the server joined with the caller's membership in its team).
 *
 * Not visible → 404 `server.not_found` (the same as an unknown id, so nothing about other people's
 * servers leaks); visible without the capability → 403 `access.forbidden` naming it. The instance
 * admin may do anything (the contract's "admins see all"), but using a capability their role on a
 * team server does not give them is break-glass: allowed, and audited as `access.break_glass` on
 * the server, which the team sees in its audit log. A request made with a personal API token is
 * further limited to the token's scopes: 403 `token.scope_denied` naming the capability (`via: token`).
 */
@Injectable()
export class AccessService {
  private readonly logger = new Logger(AccessService.name);

  constructor(
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    private readonly audit: AuditService,
  ) {}

  /** The server with the caller's access, or null when they may not see it (or it does not exist). */
  async resolve(user: AuthUser, serverId: string): Promise<GrantedServer | null> {
    const { entities, raw } = await this.servers.createQueryBuilder('s')
      .leftJoin('team_members', 'm', 'm.team_id = s.team_id AND m.user_id = :uid', { uid: user.id })
      .addSelect('m.role', 'member_role')
      .where('s.id = :id', { id: serverId })
      .getRawAndEntities<{ member_role: string | null }>();
    const server = entities[0];
    if (!server) return null;
    const role = raw[0]?.member_role;
    const access = grantFor(user, server, isTeamRole(role) ? role : null);
    return access ? Object.assign(server, { access }) : null;
  }

  /**
   * The server if the caller holds `capability` on it (or may use it as break-glass, which is
   * audited); otherwise 404 or 403 as described above. `notFound` makes the 404 for a route about
   * something on the server (a command, a key, a recording), so it answers as an unknown id would.
   */
  async require(user: AuthUser, serverId: string, capability: Capability, meta?: RequestMeta, notFound: () => Error = serverNotFound): Promise<GrantedServer> {
    const server = await this.resolve(user, serverId);
    if (!server) throw notFound();
    // A personal API token: the user's capabilities here intersected with the token's scopes. Checked
    // before break-glass, so a token never reaches beyond its scopes, whoever its owner is.
    requireTokenScope(user, capability);
    if (server.access.capabilities.includes(capability)) return server;
    if (!server.access.breakGlass) throw forbidden(server.access, capability);
    if (server.teamId) {
      await this.audit.record({
        action: 'access.break_glass',
        description: `Break-glass: instance admin ${user.username} used ${capability} on server "${server.name}" `
          + `(${server.access.via === 'instance_admin' ? 'no role in the team' : `team role ${server.access.via}`})`,
        userId: user.id,
        serverId: server.id,
        meta,
      });
    }
    return server;
  }

  /** For socket handlers: `not_found`, `forbidden` or the server. Break-glass is audited as in `require`. */
  async check(user: AuthUser, serverId: string, capability: Capability, meta?: RequestMeta): Promise<GrantedServer | 'not_found' | 'forbidden'> {
    try {
      return await this.require(user, serverId, capability, meta);
    } catch (err) {
      if (err instanceof AccessException || err instanceof PersonalTokenException) return 'forbidden';
      if (err instanceof ServerException) return 'not_found';
      throw err;
    }
  }

  /**
   * Whether the caller still holds `capability` on the server (break-glass counts, without a new
   * audit entry): for what was granted earlier and is still running, such as an open terminal.
   */
  async holds(user: AuthUser, serverId: string, capability: Capability): Promise<boolean> {
    const server = await this.resolve(user, serverId);
    if (!server) return false;
    try {
      requireTokenScope(user, capability);
    } catch {
      return false;
    }
    return server.access.capabilities.includes(capability) || server.access.breakGlass;
  }

  /**
   * Which of `held` an access change may touch and whose user no longer holds `capability` on
   * that server. A check that fails (the database unavailable) keeps the item, logged; it is
   * checked again at the next change.
   */
  async lostAfter<T extends HeldOnServer>(change: AccessChange, held: Iterable<T>, capability: Capability): Promise<T[]> {
    let touches: (h: T) => boolean;
    if ('userIds' in change) {
      const users = new Set(change.userIds);
      touches = (h) => users.size === 0 || users.has(h.user.id);
    } else {
      touches = (h) => h.serverId === change.serverId;
    }
    const touched = [...held].filter(touches);
    const lost: T[] = [];
    for (const h of touched) {
      try {
        if (!(await this.holds(h.user, h.serverId, capability))) lost.push(h);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, serverId: h.serverId, userId: h.user.id, capability }, 'Could not re-check access after an access change');
      }
    }
    return lost;
  }

  /** The teams the user is a member of. */
  async teamIdsOf(userId: string): Promise<string[]> {
    const rows = (await this.servers.query('SELECT team_id FROM team_members WHERE user_id = $1', [userId])) as { team_id: string }[];
    return rows.map((r) => r.team_id);
  }

  /** Whether the caller may see the server at all. */
  async visible(user: AuthUser, serverId: string): Promise<boolean> {
    return (await this.resolve(user, serverId)) !== null;
  }

  /**
   * Which of `serverIds` the caller may see, in one query: for a burst of live subscriptions (a
   * dashboard re-sending all of them after a reconnect) and re-checks after an access change.
   * Ids that are not UUIDs are not servers.
   */
  async visibleAmong(user: AuthUser, serverIds: Iterable<string>): Promise<Set<string>> {
    const ids = [...new Set(serverIds)].filter((id) => UUID.test(id));
    if (!ids.length) return new Set();
    const rows = (await this.servers.query(
      `SELECT s.id, s.owner_id, s.team_id, m.role AS member_role
         FROM servers s LEFT JOIN team_members m ON m.team_id = s.team_id AND m.user_id = $1
        WHERE s.id = ANY($2::uuid[])`,
      [user.id, ids],
    )) as { id: string; owner_id: string; team_id: string | null; member_role: string | null }[];
    return new Set(rows
      .filter((r) => grantFor(user, { ownerId: r.owner_id, teamId: r.team_id }, isTeamRole(r.member_role) ? r.member_role : null))
      .map((r) => r.id));
  }
}

/**
 * SQL for "servers `alias` the user may see", with `$param` (or `:param`) the user's id; callers
 * skip it for the instance admin, who sees every server.
 */
export function visibleServersSql(alias: string, userParam: string): string {
  return `((${alias}.team_id IS NULL AND ${alias}.owner_id = ${userParam})`
    + ` OR ${alias}.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ${userParam}))`;
}

/**
 * Whether things of the caller's own that are not about one server (all-servers alert rules and
 * silences) are within reach: yes, unless a team-limited token leaves out `personal`.
 */
export const reachesOwnUnscoped = (user: AuthUser): boolean => !user.token?.teamScope || user.token.teamScope.personal;

/** The instance admin sees every server, unless a personal API token limits them to teams. */
export const seesAllServers = (user: AuthUser): boolean => isAdmin(user) && !user.token?.teamScope;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * SQL for "servers `alias` this caller may see", or null when they see every server (the instance
 * admin, unless a team-limited token narrows them). `userParam` is the placeholder bound to the
 * caller's id. Honours a personal API token's team scope the same way `grantFor` does; its team ids
 * come from the database and are checked to be UUIDs before they are written into the SQL.
 * `adminSeesAll: false`: the instance admin gets the same filter as everyone (lists of things that
 * are "yours and your servers'" rather than "every server's").
 */
export function callerServersSql(user: AuthUser, alias: string, userParam: string, adminSeesAll = true): string | null {
  if (adminSeesAll && seesAllServers(user)) return null;
  const scope = user.token?.teamScope;
  if (!scope) return visibleServersSql(alias, userParam);
  const teamIds = scope.teamIds.filter((id) => UUID.test(id));
  const personal = scope.personal ? `(${alias}.team_id IS NULL AND ${alias}.owner_id = ${userParam})` : 'false';
  const teams = teamIds.length
    ? `${alias}.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ${userParam} AND tm.team_id IN (${teamIds.map((id) => `'${id}'`).join(', ')}))`
    : 'false';
  return `(${personal} OR ${teams})`;
}

export function forbidden(access: ServerAccess, capability: Capability): InstanceType<typeof AccessException> {
  const via = access.via === 'instance_admin' ? 'no role' : access.via === 'owner' ? 'ownership' : `the role ${access.via}`;
  return new AccessException(
    AccessErrorCode.Forbidden,
    `Not allowed: this needs the capability ${capability}, which ${via} on this server does not give`,
    [{ capability, via: access.via }],
  );
}
