import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash } from '@node-rs/argon2';
import { DataSource, EntityManager } from 'typeorm';
import type { UserRole, AdminUser, AdminUserPage, PasswordResetLink } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import { ARGON2 } from '../auth/auth.service';
import { SessionsService } from '../auth/sessions.service';
import { randomSecret, sha256 } from '../auth/token.util';
import { AdminErrorCode, AdminException } from './admin.errors';
import { AdminUserQueryDto } from './dto/admin-users.dto';

interface UserRow {
  id: string; email: string; username: string; full_name: string | null; role: UserRole; created_at: Date;
  disabled_at: Date | null; last_login_at: Date | null; server_count: number; active_sessions: number; must_change_password: boolean;
}

const SELECT_USERS = `
  SELECT u.id, u.email, u.username, u.full_name, u.role, u.created_at, u.disabled_at, u.last_login_at, u.must_change_password,
         (SELECT count(*) FROM servers s WHERE s.owner_id = u.id)::int AS server_count,
         (SELECT count(DISTINCT r.family_id) FROM refresh_tokens r
           WHERE r.user_id = u.id AND r.revoked_at IS NULL AND r.used_at IS NULL AND r.expires_at > now())::int AS active_sessions
    FROM users u`;

const toAdminUser = (r: UserRow): AdminUser => ({
  id: r.id, email: r.email, username: r.username, fullName: r.full_name, role: r.role, createdAt: r.created_at.toISOString(),
  disabledAt: r.disabled_at?.toISOString() ?? null, lastLoginAt: r.last_login_at?.toISOString() ?? null,
  serverCount: r.server_count, activeSessions: r.active_sessions,
  ...(r.must_change_password ? { mustChangePassword: true } : {}),
});

/** `%…%` for ILIKE, with the pattern characters of the search taken literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** How long a reset link works. */
export const RESET_LINK_TTL_MS = 60 * 60 * 1000;

interface Target { id: string; username: string; role: UserRole; disabled_at: Date | null }

/**
 * The instance admin's user management. Every change runs under one advisory lock, so two admins
 * demoting or disabling each other at once cannot leave the instance without an active admin.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async list(q: AdminUserQueryDto): Promise<AdminUserPage> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const search = q.q?.trim() ? likePattern(q.q.trim()) : null;
    const where = `WHERE ($1::text IS NULL OR u.username ILIKE $1 OR u.email ILIKE $1 OR u.full_name ILIKE $1)`;
    const [rows, count]: [UserRow[], { total: number }[]] = await Promise.all([
      this.db.query(`${SELECT_USERS} ${where} ORDER BY u.created_at, u.id LIMIT $2 OFFSET $3`, [search, limit, offset]),
      this.db.query(`SELECT count(*)::int AS total FROM users u ${where}`, [search]),
    ]);
    return { items: rows.map(toAdminUser), total: count[0].total, limit, offset };
  }

  /** Disables the account and ends all its sessions and live sockets at once. Idempotent. */
  async disable(actor: AuthUser, id: string, meta: RequestMeta): Promise<AdminUser> {
    this.refuseSelf(actor, id, 'disable your own account');
    const { target, ended } = await this.change(actor, id, async (tx, t) => {
      if (t.disabled_at) return 0;
      if (t.role === 'admin') await this.requireAnotherAdmin(tx, t.id, 'disable');
      await tx.query('UPDATE users SET disabled_at = now(), updated_at = now() WHERE id = $1', [t.id]);
      return this.sessions.revokeAll(t.id, tx);
    });
    this.sessions.announce(id);
    await this.audit.record({ action: 'admin.user_disable', description: `Disabled user ${target.username} (${id}); ${ended} session(s) ended`, userId: actor.id, meta });
    return this.get(id);
  }

  /**
   * Signs the user out everywhere (refresh and access tokens, live sockets); the account stays
   * usable. Not yourself: Profile → Sessions signs out your other sessions.
   */
  async revokeSessions(actor: AuthUser, id: string, meta: RequestMeta): Promise<AdminUser> {
    this.refuseSelf(actor, id, 'sign yourself out here (use Profile → Sessions)');
    const { target, ended } = await this.change(actor, id, (tx, t) => this.sessions.revokeAll(t.id, tx));
    this.sessions.announce(id);
    await this.audit.record({ action: 'admin.user_sessions_revoke', description: `Signed out user ${target.username} (${id}) everywhere; ${ended} session(s) ended`, userId: actor.id, meta });
    return this.get(id);
  }

  async enable(actor: AuthUser, id: string, meta: RequestMeta): Promise<AdminUser> {
    const { target } = await this.change(actor, id, async (tx, t) => {
      await tx.query('UPDATE users SET disabled_at = NULL, updated_at = now() WHERE id = $1 AND disabled_at IS NOT NULL', [t.id]);
      return 0;
    });
    await this.audit.record({ action: 'admin.user_enable', description: `Enabled user ${target.username} (${id})`, userId: actor.id, meta });
    return this.get(id);
  }

  /**
   * Promotes or demotes (yourself too, while another active admin remains). REST sees the new role on the next request (it is read from the database);
   * the user's live sockets are closed so they reconnect with it (a demoted user's socket must
   * leave the all-servers fleet stream).
   */
  async setRole(actor: AuthUser, id: string, role: UserRole, meta: RequestMeta): Promise<AdminUser> {
    const { target, ended } = await this.change(actor, id, async (tx, t) => {
      if (t.role === role) return 0;
      if (t.role === 'admin' && !t.disabled_at) await this.requireAnotherAdmin(tx, t.id, 'demote');
      await tx.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [t.id, role]);
      return 1;
    });
    if (ended) {
      this.sessions.announce(id);
      await this.audit.record({ action: 'admin.user_role', description: `Changed the role of ${target.username} (${id}) from ${target.role} to ${role}`, userId: actor.id, meta });
    }
    return this.get(id);
  }

  /**
   * Sets a temporary password (argon2id) the admin hands over; every session of the user ends, and
   * the user must choose a new password at the next sign-in (`must_change_password`). Any open reset
   * link of the user stops working. The password is never logged nor audited.
   */
  async resetPassword(actor: AuthUser, id: string, password: string, meta: RequestMeta): Promise<AdminUser> {
    this.refuseSelf(actor, id, 'reset your own password here (use Profile → Change password)');
    const passwordHash = await hash(password, ARGON2);
    const { target, ended } = await this.change(actor, id, async (tx, t) => {
      await tx.query(
        'UPDATE users SET password_hash = $2, password_changed_at = now(), must_change_password = true, updated_at = now() WHERE id = $1',
        [t.id, passwordHash],
      );
      await tx.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [t.id]);
      return this.sessions.revokeAll(t.id, tx);
    });
    this.sessions.announce(id);
    await this.audit.record({ action: 'admin.user_password_reset', description: `Reset the password of ${target.username} (${id}); ${ended} session(s) ended`, userId: actor.id, meta });
    return this.get(id);
  }

  /**
   * A one-time reset link for the user: a random token (shown in this answer only, stored as its
   * SHA-256), valid RESET_LINK_TTL_MS, replacing any earlier open link of theirs. Nothing changes
   * until the user uses it (`POST /auth/reset-password`), which ends all their sessions.
   */
  async createResetLink(actor: AuthUser, id: string, meta: RequestMeta): Promise<PasswordResetLink> {
    this.refuseSelf(actor, id, 'reset your own password here (use Profile → Change password)');
    const token = randomSecret();
    const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
    const { target } = await this.change(actor, id, async (tx, t) => {
      await tx.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [t.id]);
      await tx.query('INSERT INTO password_resets (user_id, token_hash, expires_at, created_by) VALUES ($1, $2, $3, $4)', [t.id, sha256(token), expiresAt, actor.id]);
      return 0;
    });
    await this.audit.record({
      action: 'admin.user_reset_link', description: `Created a password reset link for ${target.username} (${id}), valid until ${expiresAt.toISOString()}`, userId: actor.id, meta,
    });
    return { token, path: `/reset-password/${token}`, expiresAt: expiresAt.toISOString() };
  }

  private async get(id: string): Promise<AdminUser> {
    const rows: UserRow[] = await this.db.query(`${SELECT_USERS} WHERE u.id = $1`, [id]);
    if (!rows[0]) throw new AdminException(AdminErrorCode.UserNotFound, 'User not found');
    return toAdminUser(rows[0]);
  }

  /** Runs `apply` on the locked user, under the admins lock, in one transaction. */
  private change(actor: AuthUser, id: string, apply: (tx: EntityManager, target: Target) => Promise<number>): Promise<{ target: Target; ended: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('chatops.admins'))`);
      // Re-checked under the lock: another admin may have disabled or demoted the actor meanwhile.
      const still: unknown[] = await tx.query(`SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND disabled_at IS NULL`, [actor.id]);
      if (!still.length) throw new AdminException(AdminErrorCode.AdminRequired, 'Only an administrator may do this');
      const rows: Target[] = await tx.query('SELECT id, username, role, disabled_at FROM users WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) throw new AdminException(AdminErrorCode.UserNotFound, 'User not found');
      return { target: rows[0], ended: await apply(tx, rows[0]) };
    });
  }

  private async requireAnotherAdmin(tx: EntityManager, exceptId: string, verb: string): Promise<void> {
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`,
      [exceptId],
    );
    if (!rows[0].n) throw new AdminException(AdminErrorCode.LastAdmin, `Cannot ${verb} the last active administrator: promote another user first`);
  }

  private refuseSelf(actor: AuthUser, id: string, what: string): void {
    if (actor.id === id) throw new AdminException(AdminErrorCode.SelfAction, `You cannot ${what}`);
  }
}
