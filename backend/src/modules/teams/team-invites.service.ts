import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  TEAM_INVITE_DEFAULT_DAYS, TEAM_INVITE_DEFAULT_USES,
  type AcceptedTeamInvite, type CreatedTeamInvite, type CreateTeamInviteRequest, type TeamInvite, type TeamInvitePreview, type TeamRole,
} from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '../../common/db-errors';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { randomSecret, sha256 } from '../auth/token.util';
import { inviteNotFound, teamNotFound, TeamErrorCode, TeamException } from './teams.errors';
import { TeamsService } from './teams.service';

const DAY_MS = 86_400_000;
/** 32 random bytes, base64url: anything else is not one of ours and answers 404 without a query. */
const INVITE_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

interface InviteRow {
  id: string; team_id: string; role: TeamRole; expires_at: Date; max_uses: number; uses: number;
  revoked_at: Date | null; created_at: Date; created_by: string | null;
}
const INVITE_SELECT = `SELECT i.id, i.team_id, i.role, i.expires_at, i.max_uses, i.uses, i.revoked_at, i.created_at, u.username AS created_by
  FROM team_invites i LEFT JOIN users u ON u.id = i.created_by`;

const toInvite = (r: InviteRow): TeamInvite => ({
  id: r.id, teamId: r.team_id, role: r.role, expiresAt: r.expires_at.toISOString(), maxUses: r.max_uses, uses: r.uses,
  createdBy: r.created_by, createdAt: r.created_at.toISOString(),
});

/**
 * Team invite links. A team admin (or the instance admin) makes one with a role, a lifetime and a
 * number of uses; the secret is shown once and only its SHA-256 is stored, and links are looked up
 * by that hash (an indexed equality on the digest: nothing about the secret is compared byte by
 * byte). A signed-in user who opens the link sees the team and role, and accepting makes them a
 * member. Creating, revoking and accepting are audited under the team.
 */
@Injectable()
export class TeamInvitesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async create(user: AuthUser, teamId: string, dto: CreateTeamInviteRequest, meta: RequestMeta): Promise<CreatedTeamInvite> {
    const team = await this.teams.requireAdminOf(user, teamId);
    const token = randomSecret(32);
    const days = dto.expiresInDays ?? TEAM_INVITE_DEFAULT_DAYS;
    let id: string;
    try {
      [{ id }] = (await this.db.query(
        `INSERT INTO team_invites (team_id, role, token_hash, expires_at, max_uses, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [team.id, dto.role, sha256(token), new Date(Date.now() + days * DAY_MS), dto.maxUses ?? TEAM_INVITE_DEFAULT_USES, user.id],
      )) as { id: string }[];
    } catch (err) {
      if (sqlStateOf(err) === FOREIGN_KEY_VIOLATION) throw teamNotFound(); // the team was deleted meanwhile
      throw err;
    }
    const invite = await this.row(team.id, id);
    await this.audit.record({
      action: 'invite.create',
      description: `Created an invite link to team "${team.name}" as ${invite.role} (${invite.maxUses} use(s), expires ${invite.expiresAt})`,
      userId: user.id, teamId: team.id, meta,
    });
    return { ...invite, token };
  }

  /** The team's invites that can still be used (not revoked, expired or used up), newest first. Team admins. */
  async list(user: AuthUser, teamId: string): Promise<TeamInvite[]> {
    const team = await this.teams.requireAdminOf(user, teamId);
    const rows = (await this.db.query(
      `${INVITE_SELECT} WHERE i.team_id = $1 AND i.revoked_at IS NULL AND i.expires_at > now() AND i.uses < i.max_uses ORDER BY i.created_at DESC, i.id`,
      [team.id],
    )) as InviteRow[];
    return rows.map(toInvite);
  }

  /** Revokes one of the team's pending invites; an id of another team's invite is 404, as an unknown one. */
  async revoke(user: AuthUser, teamId: string, inviteId: string, meta: RequestMeta): Promise<void> {
    const team = await this.teams.requireAdminOf(user, teamId);
    const rows = (await this.db.query(
      'UPDATE team_invites SET revoked_at = now() WHERE id = $1 AND team_id = $2 AND revoked_at IS NULL RETURNING role',
      [inviteId, team.id],
    )) as [{ role: TeamRole }[], number];
    const revoked = rows[0][0];
    if (!revoked) throw inviteNotFound();
    await this.audit.record({ action: 'invite.revoke', description: `Revoked an invite link to team "${team.name}" (${revoked.role})`, userId: user.id, teamId: team.id, meta });
  }

  /** For the join page: the team and role an invite link leads to, or why it cannot be used. */
  async preview(token: string): Promise<TeamInvitePreview> {
    const invite = usable(await this.byToken(this.db, token, false));
    return { teamId: invite.team_id, teamName: invite.team_name, role: invite.role, expiresAt: invite.expires_at.toISOString() };
  }

  /** Joins the team with the invite's role. The invite row is locked, so two people cannot both take its last use. */
  async accept(user: AuthUser, token: string, meta: RequestMeta): Promise<AcceptedTeamInvite> {
    const invite = await this.db.transaction(async (tx) => {
      const row = usable(await this.byToken(tx, token, true));
      const inserted = (await tx.query(
        'INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id',
        [row.team_id, user.id, row.role],
      )) as unknown[];
      if (!inserted.length) throw new TeamException(TeamErrorCode.AlreadyMember, `You are already a member of the team "${row.team_name}"`);
      await tx.query('UPDATE team_invites SET uses = uses + 1 WHERE id = $1', [row.id]);
      return row;
    });
    await this.audit.record({
      action: 'invite.accept',
      description: `${user.username} joined team "${invite.team_name}" as ${invite.role} with an invite link`,
      userId: user.id, teamId: invite.team_id, meta,
    });
    await this.events.emitAsync('team.members_changed', { teamId: invite.team_id, userIds: [user.id], deleted: false });
    return { teamId: invite.team_id, teamName: invite.team_name, role: invite.role };
  }

  private async byToken(q: { query: DataSource['query'] }, token: string, lock: boolean): Promise<InviteRow & { team_name: string }> {
    if (!INVITE_TOKEN_SHAPE.test(token)) throw inviteNotFound();
    const rows = (await q.query(
      `SELECT i.id, i.team_id, i.role, i.expires_at, i.max_uses, i.uses, i.revoked_at, i.created_at, t.name AS team_name
         FROM team_invites i JOIN teams t ON t.id = i.team_id WHERE i.token_hash = $1 ${lock ? 'FOR UPDATE OF i' : ''}`,
      [sha256(token)],
    )) as (InviteRow & { team_name: string })[];
    if (!rows[0]) throw inviteNotFound();
    return rows[0];
  }

  private async row(teamId: string, id: string): Promise<TeamInvite> {
    const rows = (await this.db.query(`${INVITE_SELECT} WHERE i.id = $1 AND i.team_id = $2`, [id, teamId])) as InviteRow[];
    return toInvite(rows[0]);
  }
}

/** 410 with the reason when the invite can no longer be used. */
function usable<T extends InviteRow>(invite: T): T {
  if (invite.revoked_at) throw new TeamException(TeamErrorCode.InviteRevoked, 'This invite link was revoked');
  if (invite.expires_at.getTime() <= Date.now()) throw new TeamException(TeamErrorCode.InviteExpired, 'This invite link has expired');
  if (invite.uses >= invite.max_uses) throw new TeamException(TeamErrorCode.InviteUsedUp, 'This invite link has been used up');
  return invite;
}
