import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { UserRole, CreatedInvite, Invite, InviteCheck, RegistrationMode, RegistrationSettings, RegistrationStatus } from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import { randomSecret, sha256 } from '../auth/token.util';
import { RegistrationErrorCode, RegistrationException } from './registration.errors';
import { CreateInviteDto } from './dto/registration.dto';

const MODE_KEY = 'registration.mode';
const DEFAULT_INVITE_HOURS = 72;
/** The invites page lists this many, newest first. */
const LIST_LIMIT = 200;

interface InviteRow {
  id: string; email: string | null; role: UserRole; expires_at: Date; created_at: Date; created_by: string | null;
  used_at: Date | null; used_by: string | null; revoked_at: Date | null;
}
const INVITE_COLUMNS = 'id, email, role, expires_at, created_at, created_by, used_at, used_by, revoked_at';

function toInvite(r: InviteRow, now = Date.now()): Invite {
  const status = r.used_at ? 'used' : r.revoked_at ? 'revoked' : r.expires_at.getTime() <= now ? 'expired' : 'pending';
  return {
    id: r.id, email: r.email, role: r.role, status,
    expiresAt: r.expires_at.toISOString(), createdAt: r.created_at.toISOString(), createdBy: r.created_by,
    usedAt: r.used_at?.toISOString() ?? null, usedBy: r.used_by, revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}

const invalidInvite = () => new RegistrationException(RegistrationErrorCode.InviteInvalid, 'This invite link is not valid: it was used, revoked or has expired. Ask an administrator for a new one');

/**
 * Who may register: the instance setting (PostgreSQL, so every instance reads the same; the
 * REGISTRATION variable until an admin sets it) and one-time invites, stored as SHA-256 hashes.
 */
@Injectable()
export class RegistrationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async settings(q: Pick<EntityManager, 'query'> = this.db): Promise<RegistrationSettings> {
    const rows: { value: unknown; updated_at: Date }[] = await q.query('SELECT value, updated_at FROM instance_settings WHERE key = $1', [MODE_KEY]);
    const stored = rows[0]?.value;
    if (stored === 'open' || stored === 'invite') return { mode: stored, source: 'admin', updatedAt: rows[0].updated_at.toISOString() };
    return { mode: this.config.registrationDefault, source: 'env', updatedAt: null };
  }

  /** Public: what the register page says before anybody fills it in. */
  async status(): Promise<RegistrationStatus> {
    const [{ mode }, users] = await Promise.all([this.settings(), this.db.query('SELECT EXISTS (SELECT 1 FROM users) AS any')]);
    return { mode, inviteRequired: mode === 'invite' && Boolean((users as { any: boolean }[])[0]?.any) };
  }

  async setMode(actor: AuthUser, mode: RegistrationMode, meta: RequestMeta): Promise<RegistrationSettings> {
    await this.db.query(
      `INSERT INTO instance_settings (key, value, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [MODE_KEY, JSON.stringify(mode), actor.id],
    );
    await this.audit.record({ action: 'admin.registration_mode', description: `Set registration to ${mode === 'open' ? 'open' : 'invite-only'}`, userId: actor.id, meta });
    return this.settings();
  }

  async listInvites(): Promise<Invite[]> {
    const rows: InviteRow[] = await this.db.query(`SELECT ${INVITE_COLUMNS} FROM invites ORDER BY created_at DESC, id LIMIT ${LIST_LIMIT}`);
    const now = Date.now();
    return rows.map((r) => toInvite(r, now));
  }

  async createInvite(actor: AuthUser, dto: CreateInviteDto, origin: string, meta: RequestMeta): Promise<CreatedInvite> {
    const token = randomSecret();
    const hours = dto.expiresInHours ?? DEFAULT_INVITE_HOURS;
    const rows: InviteRow[] = await this.db.query(
      `INSERT INTO invites (token_hash, email, role, expires_at, created_by)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5) RETURNING ${INVITE_COLUMNS}`,
      [sha256(token), dto.email ?? null, dto.role ?? 'user', hours, actor.id],
    );
    const invite = toInvite(rows[0]);
    const who = dto.email ? ` for ${dto.email}` : '';
    await this.audit.record({ action: 'admin.invite_create', description: `Created invite ${invite.id}${who} (role ${invite.role}, ${hours} h)`, userId: actor.id, meta });
    const base = this.config.publicUrl ?? origin;
    return { ...invite, token, url: `${base}/register?invite=${encodeURIComponent(token)}` };
  }

  /** A pending invite stops working; revoking one that is no longer pending changes nothing. */
  async revokeInvite(actor: AuthUser, id: string, meta: RequestMeta): Promise<Invite> {
    const [rows]: [InviteRow[], number] = await this.db.query(
      `UPDATE invites SET revoked_at = coalesce(revoked_at, CASE WHEN used_at IS NULL THEN now() END)
       WHERE id = $1 RETURNING ${INVITE_COLUMNS}`,
      [id],
    );
    if (!rows[0]) throw new RegistrationException(RegistrationErrorCode.InviteNotFound, 'Invite not found');
    await this.audit.record({ action: 'admin.invite_revoke', description: `Revoked invite ${id}`, userId: actor.id, meta });
    return toInvite(rows[0]);
  }

  /** Public, for the register page: what the invite is for, or 403 when it cannot be used. */
  async checkInvite(token: string): Promise<InviteCheck> {
    const rows: InviteRow[] = await this.db.query(
      `SELECT ${INVITE_COLUMNS} FROM invites WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
      [sha256(token)],
    );
    if (!rows[0]) throw invalidInvite();
    return { email: rows[0].email, role: rows[0].role, expiresAt: rows[0].expires_at.toISOString() };
  }

  /**
   * Inside the registration's transaction: may this registration proceed, and with which invite?
   * The invite row is locked, so two registrations with one invite cannot both use it. The first
   * account of an instance never needs an invite (somebody must become the admin).
   */
  async admit(tx: EntityManager, email: string, token: string | undefined, first: boolean): Promise<{ id: string; role: UserRole } | null> {
    if (token === undefined) {
      if (first || (await this.settings(tx)).mode === 'open') return null;
      throw new RegistrationException(RegistrationErrorCode.InviteRequired, 'Registration is by invitation only: open the invite link an administrator sent you');
    }
    const rows: InviteRow[] = await tx.query(`SELECT ${INVITE_COLUMNS} FROM invites WHERE token_hash = $1 FOR UPDATE`, [sha256(token)]);
    const invite = rows[0];
    if (!invite || invite.used_at || invite.revoked_at || invite.expires_at.getTime() <= Date.now()) throw invalidInvite();
    if (invite.email && invite.email.toLowerCase() !== email.toLowerCase()) {
      throw new RegistrationException(RegistrationErrorCode.InviteEmailMismatch, 'This invite is for another email address');
    }
    return { id: invite.id, role: invite.role };
  }

  async consume(tx: EntityManager, inviteId: string, userId: string): Promise<void> {
    await tx.query('UPDATE invites SET used_at = now(), used_by = $2 WHERE id = $1', [inviteId, userId]);
  }
}
