import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TEAM_ROLES, type TeamRole } from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { ChatopsEvents, EventBus, OnChatopsEvent } from '../../events';
import { AuditService } from '../audit/audit.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const rank = (r: TeamRole) => TEAM_ROLES.indexOf(r);

interface MembershipRow { team_id: string; name: string; role: TeamRole; source: 'manual' | 'oidc' }
interface Target { teamId: string; name: string; role: TeamRole }

/** What one sign-in changed (for the log and the tests' understanding; the audit log has the details). */
export interface TeamSyncResult { added: number; changed: number; removed: number; skipped: number }

/**
 * OIDC_TEAM_MAPPING, applied at every single sign-on (`auth.oidc_signed_in`): members of a mapped
 * provider group become members of the mapped team with the mapped role (several groups naming
 * one team: the highest role). Memberships it grants are marked `source = 'oidc'`; at a later
 * sign-in it changes their role when the mapping says so and removes them when the group (or the
 * mapping entry) is gone. Memberships added by hand are never touched, and a manual role change
 * makes a membership manual. Teams are not created: a mapping naming no team (or an ambiguous
 * name) is skipped and logged. A team never loses its last admin: such a change is skipped and
 * logged. Every change is audited on the team, marked "(single sign-on)".
 */
@Injectable()
export class OidcTeamSyncService {
  private readonly logger = new Logger(OidcTeamSyncService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  @OnChatopsEvent('auth.oidc_signed_in')
  async onSignedIn(e: ChatopsEvents['auth.oidc_signed_in']): Promise<void> {
    // No mapping configured: the provider does not manage team memberships (those it granted stay).
    if (!this.config.oidc?.teamMapping.length) return;
    try {
      const r = await this.sync(e.userId, e.groups);
      if (r.added + r.changed + r.removed + r.skipped) this.logger.log(`Team mapping for user ${e.userId}: ${JSON.stringify(r)}`);
    } catch (err) {
      // Sign-in goes on with the memberships as they were; the next sign-in tries again.
      this.logger.error(`Team mapping for user ${e.userId} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Brings the user's provider-granted memberships in line with their groups. */
  async sync(userId: string, groups: readonly string[]): Promise<TeamSyncResult> {
    const result: TeamSyncResult = { added: 0, changed: 0, removed: 0, skipped: 0 };
    const [user] = (await this.db.query('SELECT username FROM users WHERE id = $1', [userId])) as { username: string }[];
    if (!user) return result;
    const targets = await this.targets(groups, result);
    const current = (await this.db.query(
      `SELECT m.team_id, t.name, m.role, m.source FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1`,
      [userId],
    )) as MembershipRow[];

    for (const target of targets.values()) {
      const outcome = await this.db.transaction((tx) => this.grant(tx, userId, target));
      if (outcome === 'unchanged') continue;
      if (outcome === 'last_admin') {
        result.skipped++;
        this.logger.warn(`Team mapping: kept ${user.username} as admin of team "${target.name}" (its last admin) instead of making them ${target.role}`);
        continue;
      }
      if (outcome === 'added') {
        result.added++;
        await this.record('team.member_add', `Added ${user.username} to team "${target.name}" as ${target.role} (single sign-on)`, userId, target.teamId);
      } else {
        result.changed++;
        await this.record('team.member_role', `Changed the role of ${user.username} in team "${target.name}" from ${outcome.from} to ${target.role} (single sign-on)`, userId, target.teamId);
      }
      await this.events.emitAsync('team.members_changed', { teamId: target.teamId, userIds: [userId], deleted: false });
    }

    for (const m of current) {
      if (m.source !== 'oidc' || targets.has(m.team_id)) continue;
      const outcome = await this.db.transaction((tx) => this.revoke(tx, userId, m.team_id));
      if (outcome === 'unchanged') continue;
      if (outcome === 'last_admin') {
        result.skipped++;
        this.logger.warn(`Team mapping: kept ${user.username} in team "${m.name}", whose last admin they are, though their group no longer maps to it`);
        continue;
      }
      result.removed++;
      await this.record('team.member_remove', `Removed ${user.username} from team "${m.name}" (single sign-on: no longer in a mapped group)`, userId, m.team_id);
      await this.events.emitAsync('team.members_changed', { teamId: m.team_id, userIds: [userId], deleted: false });
    }
    return result;
  }

  /** The teams the user's groups map to, by team id, with the highest mapped role. */
  private async targets(groups: readonly string[], result: TeamSyncResult): Promise<Map<string, Target>> {
    const entries = (this.config.oidc?.teamMapping ?? []).filter((m) => groups.includes(m.group));
    const out = new Map<string, Target>();
    if (!entries.length) return out;
    const refs = [...new Set(entries.map((m) => m.team))];
    const teams = (await this.db.query(
      'SELECT id, name FROM teams WHERE id::text = ANY($1) OR lower(name) = ANY($2)',
      [refs.filter((r) => UUID.test(r)).map((r) => r.toLowerCase()), refs.map((r) => r.toLowerCase())],
    )) as { id: string; name: string }[];
    for (const entry of entries) {
      const ref = entry.team.toLowerCase();
      const byId = teams.filter((t) => t.id === ref);
      const matches = byId.length ? byId : teams.filter((t) => t.name.toLowerCase() === ref);
      if (matches.length !== 1) {
        result.skipped++;
        this.logger.warn(`Team mapping: group "${entry.group}" maps to "${entry.team}", which ${matches.length ? 'names several teams (use its id)' : 'is no team'}; skipped`);
        continue;
      }
      const team = matches[0];
      const known = out.get(team.id);
      if (!known || rank(entry.role) > rank(known.role)) out.set(team.id, { teamId: team.id, name: team.name, role: entry.role });
    }
    return out;
  }

  private async grant(tx: EntityManager, userId: string, target: Target): Promise<'added' | 'unchanged' | 'last_admin' | { from: TeamRole }> {
    if (!(await this.lockTeam(tx, target.teamId))) return 'unchanged'; // deleted meanwhile
    const [m] = (await tx.query('SELECT role, source FROM team_members WHERE team_id = $1 AND user_id = $2', [target.teamId, userId])) as MembershipRow[];
    if (!m) {
      await tx.query(`INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, 'oidc')`, [target.teamId, userId, target.role]);
      return 'added';
    }
    if (m.source !== 'oidc' || m.role === target.role) return 'unchanged';
    if (m.role === 'admin' && (await this.adminCount(tx, target.teamId)) <= 1) return 'last_admin';
    await tx.query('UPDATE team_members SET role = $3 WHERE team_id = $1 AND user_id = $2', [target.teamId, userId, target.role]);
    return { from: m.role };
  }

  private async revoke(tx: EntityManager, userId: string, teamId: string): Promise<'removed' | 'unchanged' | 'last_admin'> {
    if (!(await this.lockTeam(tx, teamId))) return 'unchanged';
    const [m] = (await tx.query('SELECT role, source FROM team_members WHERE team_id = $1 AND user_id = $2', [teamId, userId])) as MembershipRow[];
    if (!m || m.source !== 'oidc') return 'unchanged';
    if (m.role === 'admin' && (await this.adminCount(tx, teamId)) <= 1) return 'last_admin';
    await tx.query('DELETE FROM team_members WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
    return 'removed';
  }

  /** The same lock as TeamsService: membership changes of one team run one at a time. */
  private async lockTeam(tx: EntityManager, teamId: string): Promise<boolean> {
    return ((await tx.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId])) as unknown[]).length > 0;
  }

  private async adminCount(tx: EntityManager, teamId: string): Promise<number> {
    const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM team_members WHERE team_id = $1 AND role = 'admin'`, [teamId])) as { n: number }[];
    return n;
  }

  private record(action: string, description: string, userId: string, teamId: string): Promise<void> {
    return this.audit.record({ action, description, userId, teamId });
  }
}
