import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isTeamRole, type Team, type TeamMember, type TeamMemberSource, type TeamRole } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../common/decorators';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '../../common/db-errors';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { requireTokenScope } from '../personal-tokens/token-scopes';
import { UsersService } from '../users/users.service';
import { teamNotFound, TeamErrorCode, TeamException } from './teams.errors';

interface TeamRow { id: string; name: string; role: string | null; member_count: string; server_count: string; created_at: Date; updated_at: Date }
interface MemberRow { user_id: string; username: string; full_name: string | null; role: TeamRole; source: TeamMemberSource; added_at: Date }

const TEAM_SELECT = `
  SELECT t.id, t.name, me.role, t.created_at, t.updated_at,
         (SELECT count(*) FROM team_members c WHERE c.team_id = t.id) AS member_count,
         (SELECT count(*) FROM servers s WHERE s.team_id = t.id) AS server_count
    FROM teams t LEFT JOIN team_members me ON me.team_id = t.id AND me.user_id = $1`;

const toTeam = (r: TeamRow): Team => ({
  id: r.id,
  name: r.name,
  role: isTeamRole(r.role) ? r.role : null,
  memberCount: Number(r.member_count),
  serverCount: Number(r.server_count),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toMember = (r: MemberRow): TeamMember => ({
  userId: r.user_id, username: r.username, fullName: r.full_name, role: r.role, source: r.source, addedAt: r.added_at.toISOString(),
});

/**
 * Teams and their members. Any user may create a team (and becomes its admin); members see the
 * team, its members and its servers; team admins rename and delete it and manage members. A team
 * never loses its last admin. The instance admin may read and manage every team (audited, flagged
 * as acting without a role when they are not a member). Everything that changes is audited with
 * the team, so every member sees it. With a personal API token, every change (creating, renaming,
 * deleting, members, leaving) needs the `members.manage` scope.
 */
@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async list(user: AuthUser): Promise<Team[]> {
    // A personal API token limited to teams lists only those of them the user is still a member of.
    const scope = user.token?.teamScope;
    const rows = (await this.db.query(
      `${TEAM_SELECT} ${scope ? 'WHERE me.user_id IS NOT NULL AND t.id = ANY($2::uuid[])' : isAdmin(user) ? '' : 'WHERE me.user_id IS NOT NULL'} ORDER BY lower(t.name), t.created_at`,
      scope ? [user.id, scope.teamIds] : [user.id],
    )) as TeamRow[];
    return rows.map(toTeam);
  }

  async get(user: AuthUser, id: string): Promise<Team> {
    return toTeam(await this.visible(user, id));
  }

  async create(user: AuthUser, name: string, meta: RequestMeta): Promise<Team> {
    requireTokenScope(user, 'members.manage');
    const id = await this.db.transaction(async (tx) => {
      const [row] = (await tx.query('INSERT INTO teams (name, created_by) VALUES ($1, $2) RETURNING id', [name, user.id])) as { id: string }[];
      await tx.query(`INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'admin')`, [row.id, user.id]);
      return row.id;
    });
    await this.audit.record({ action: 'team.create', description: `Created team "${name}"`, userId: user.id, teamId: id, meta });
    return this.get(user, id);
  }

  async rename(user: AuthUser, id: string, name: string, meta: RequestMeta): Promise<Team> {
    const team = await this.managed(user, id);
    await this.db.query('UPDATE teams SET name = $2, updated_at = now() WHERE id = $1', [id, name]);
    await this.audit.record({ action: 'team.rename', description: `Renamed team "${team.name}" to "${name}"`, userId: user.id, teamId: id, meta });
    return this.get(user, id);
  }

  /** Only a team without servers can go (409 `team.has_servers` otherwise: move them out first). */
  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const team = await this.managed(user, id);
    const deleted = await this.db.transaction(async (tx) => {
      await tx.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [id]);
      const [{ n }] = (await tx.query('SELECT count(*)::int AS n FROM servers WHERE team_id = $1', [id])) as { n: number }[];
      if (n > 0) throw new TeamException(TeamErrorCode.HasServers, `The team still holds ${n} server(s): move them to a user or another team first`);
      const [, count] = (await tx.query('DELETE FROM teams WHERE id = $1', [id])) as [unknown, number];
      return count > 0;
    });
    if (!deleted) throw teamNotFound();
    // The team is gone, so the entry cannot name it: its former members no longer see it; the actor and admins do.
    await this.audit.record({ action: 'team.delete', description: `Deleted team "${team.name}" (${id})`, userId: user.id, teamId: null, meta });
    await this.events.emitAsync('team.members_changed', { teamId: id, userIds: [], deleted: true });
  }

  async members(user: AuthUser, id: string): Promise<TeamMember[]> {
    await this.visible(user, id);
    return (await this.memberRows(this.db.manager, id)).map(toMember);
  }

  async addMember(user: AuthUser, id: string, login: string, role: TeamRole, meta: RequestMeta): Promise<TeamMember> {
    const team = await this.managed(user, id);
    const target = await this.users.findByLogin(login);
    if (!target) throw new TeamException(TeamErrorCode.UserNotFound, 'No user with that username or email');
    let inserted: { user_id: string }[];
    try {
      inserted = (await this.db.query(
        `INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
        [id, target.id, role],
      )) as { user_id: string }[];
    } catch (err) {
      // The team was deleted meanwhile.
      if (sqlStateOf(err) === FOREIGN_KEY_VIOLATION) throw teamNotFound();
      throw err;
    }
    if (!inserted.length) throw new TeamException(TeamErrorCode.AlreadyMember, `${target.username} is already a member of the team`);
    await this.audit.record({
      action: 'team.member_add', description: `Added ${target.username} to team "${team.name}" as ${role}`, userId: user.id, teamId: id, meta,
    });
    await this.events.emitAsync('team.members_changed', { teamId: id, userIds: [target.id], deleted: false });
    return this.member(id, target.id);
  }

  async changeMember(user: AuthUser, id: string, userId: string, role: TeamRole, meta: RequestMeta): Promise<TeamMember> {
    const team = await this.managed(user, id);
    const before = await this.db.transaction(async (tx) => {
      const current = await this.lockedMember(tx, id, userId);
      if (current.role === 'admin' && role !== 'admin') await this.keepAnAdmin(tx, id);
      // A role set by hand is the team's decision: the single sign-on mapping no longer manages this membership.
      await tx.query(`UPDATE team_members SET role = $3, source = 'manual' WHERE team_id = $1 AND user_id = $2`, [id, userId, role]);
      return current;
    });
    await this.audit.record({
      action: 'team.member_role',
      description: `Changed the role of ${before.username} in team "${team.name}" from ${before.role} to ${role}`,
      userId: user.id, teamId: id, meta,
    });
    await this.events.emitAsync('team.members_changed', { teamId: id, userIds: [userId], deleted: false });
    return this.member(id, userId);
  }

  async removeMember(user: AuthUser, id: string, userId: string, meta: RequestMeta): Promise<void> {
    const team = await this.managed(user, id);
    const removed = await this.dropMember(id, userId);
    await this.audit.record({
      action: 'team.member_remove', description: `Removed ${removed.username} from team "${team.name}"`, userId: user.id, teamId: id, meta,
    });
  }

  /** Leaves a team you are a member of (not as its last admin). */
  async leave(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const team = await this.visible(user, id);
    if (!isTeamRole(team.role)) throw teamNotFound();
    requireTokenScope(user, 'members.manage');
    await this.dropMember(id, user.id);
    await this.audit.record({ action: 'team.leave', description: `Left team "${team.name}"`, userId: user.id, teamId: id, meta });
  }

  /** The caller's role in a team; null when not a member (the team may not exist either). */
  async roleOf(userId: string, teamId: string): Promise<TeamRole | null> {
    const rows = (await this.db.query('SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2', [teamId, userId])) as { role: string }[];
    return isTeamRole(rows[0]?.role) ? rows[0].role : null;
  }

  /**
   * For moving a server into a team: the team if the caller is its admin (or the instance admin,
   * audited as acting without a role); 404 when it is not theirs to see, 403 when their role is
   * not admin.
   */
  async requireAdminOf(user: AuthUser, id: string): Promise<{ id: string; name: string }> {
    const team = await this.managed(user, id);
    return { id: team.id, name: team.name };
  }

  // ---- internals ------------------------------------------------------------------------

  /** The team if the caller is a member (or the instance admin); 404 otherwise. */
  private async visible(user: AuthUser, id: string): Promise<TeamRow> {
    const rows = (await this.db.query(`${TEAM_SELECT} WHERE t.id = $2`, [user.id, id])) as TeamRow[];
    const row = rows[0];
    if (!row || (!row.role && !isAdmin(user))) throw teamNotFound();
    return row;
  }

  /**
   * The team if the caller may manage it (team admin, or the instance admin); 403 for other members,
   * and for a personal API token without the `members.manage` scope.
   */
  private async managed(user: AuthUser, id: string): Promise<TeamRow> {
    const team = await this.visible(user, id);
    requireTokenScope(user, 'members.manage');
    if (team.role !== 'admin' && !isAdmin(user)) {
      throw new TeamException(TeamErrorCode.Forbidden, 'Only an admin of the team can do this (capability members.manage)', [{ capability: 'members.manage', via: team.role }]);
    }
    return team;
  }

  private async dropMember(teamId: string, userId: string): Promise<MemberRow> {
    const removed = await this.db.transaction(async (tx) => {
      const current = await this.lockedMember(tx, teamId, userId);
      if (current.role === 'admin') await this.keepAnAdmin(tx, teamId);
      await tx.query('DELETE FROM team_members WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
      return current;
    });
    await this.events.emitAsync('team.members_changed', { teamId, userIds: [userId], deleted: false });
    return removed;
  }

  /** Locks the team (membership changes of one team run one at a time) and returns the member. */
  private async lockedMember(tx: EntityManager, teamId: string, userId: string): Promise<MemberRow> {
    await tx.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
    const rows = await this.memberRows(tx, teamId, userId);
    if (!rows.length) throw new TeamException(TeamErrorCode.MemberNotFound, 'That user is not a member of the team');
    return rows[0];
  }

  /** Throws unless the team has another admin besides the one about to go (the team row is locked). */
  private async keepAnAdmin(tx: EntityManager, teamId: string): Promise<void> {
    const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM team_members WHERE team_id = $1 AND role = 'admin'`, [teamId])) as { n: number }[];
    if (n <= 1) throw new TeamException(TeamErrorCode.LastAdmin, 'A team keeps at least one admin: make another member admin first');
  }

  private memberRows(m: EntityManager, teamId: string, userId?: string): Promise<MemberRow[]> {
    return m.query(
      `SELECT m.user_id, u.username, u.full_name, m.role, m.source, m.added_at
         FROM team_members m JOIN users u ON u.id = m.user_id
        WHERE m.team_id = $1 ${userId ? 'AND m.user_id = $2' : ''}
        ORDER BY CASE m.role WHEN 'admin' THEN 0 WHEN 'operator' THEN 1 ELSE 2 END, lower(u.username)`,
      userId ? [teamId, userId] : [teamId],
    ) as Promise<MemberRow[]>;
  }

  private async member(teamId: string, userId: string): Promise<TeamMember> {
    const rows = await this.memberRows(this.db.manager, teamId, userId);
    if (!rows.length) throw new TeamException(TeamErrorCode.MemberNotFound, 'That user is not a member of the team');
    return toMember(rows[0]);
  }
}
