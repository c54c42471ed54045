import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { toUser, UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ChangePasswordDto, CompletePasswordResetDto, LoginDto, RegisterDto, UpdateProfileDto } from './dto/auth.dto';
import type { AuthResponse } from '@chatops/protocol';
import { UserResponse } from './dto/auth.response';
import { RefreshTokenEntity } from './refresh-token.entity';
import { randomSecret, sha256 } from './token.util';
import { AuthErrorCode, AuthException } from './auth.errors';
import { RegistrationService } from '../registration/registration.service';
import { SessionsService } from './sessions.service';

/**
 * Claims of an access token. `pwv` pins the token to the password it was issued under; `sid` is
 * the session (refresh-token family): logging out or a detected reuse ends its access tokens too.
 */
export interface AccessClaims { sub: string; username: string; role: 'admin' | 'user'; pwv: number; sid: string; jti: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** argon2id parameters of every stored password (also the admin's password reset). */
export const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const INVALID_LOGIN = 'Invalid username or password';

@Injectable()
export class AuthService {
  /** Verified against when the user does not exist, so both failures take the same time. */
  private readonly dummyHash = hash('chatops-timing-equaliser', ARGON2);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventBus,
    private readonly registration: RegistrationService,
    private readonly sessions: SessionsService,
  ) {}

  async register(dto: RegisterDto, meta: RequestMeta): Promise<AuthResponse> {
    this.requireLocalLogin();
    const passwordHash = await hash(dto.password, ARGON2);
    const user = await this.db.transaction(async (tx) => {
      // Serialise registrations so exactly one "first user" becomes admin.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('chatops.register'))`);
      const repo = tx.getRepository(UserEntity);
      const first = (await repo.count()) === 0;
      // Invite-only registration refuses before anything else is told (not even a taken username).
      const invite = await this.registration.admit(tx, dto.email, dto.inviteToken, first);
      const clash = await repo
        .createQueryBuilder('u')
        .where('lower(u.username) = lower(:username) OR lower(u.email) = lower(:email)', dto)
        .getOne();
      if (clash) {
        const field = clash.username.toLowerCase() === dto.username.toLowerCase() ? 'username' : 'email';
        throw new AuthException(field === 'email' ? AuthErrorCode.EmailTaken : AuthErrorCode.UsernameTaken, `That ${field} is already registered`);
      }
      const saved = await repo.save(repo.create({
        email: dto.email,
        username: dto.username,
        fullName: dto.fullName ?? null,
        passwordHash,
        role: first ? 'admin' : invite?.role ?? 'user',
        passwordChangedAt: new Date(),
        lastLoginAt: new Date(),
      }));
      if (invite) await this.registration.consume(tx, invite.id, saved.id);
      return Object.assign(saved, { invited: Boolean(invite) });
    });
    const how = user.invited ? ` with an invite (role ${user.role})` : '';
    await this.audit.record({ action: 'auth.register', description: `Registered user ${user.username}${how}`, userId: user.id, meta });
    return this.issueTokens(user, randomUUID(), meta);
  }

  async login(dto: LoginDto, meta: RequestMeta): Promise<AuthResponse> {
    this.requireLocalLogin();
    const user = await this.users.findByLogin(dto.username);
    const ok = user
      ? await verify(user.passwordHash, dto.password).catch(() => false)
      : await verify(await this.dummyHash, dto.password).then(() => false, () => false);
    if (!user || !ok) {
      await this.audit.record({
        action: 'auth.login',
        description: `Failed login for "${dto.username.slice(0, 64)}"`,
        userId: user?.id ?? null,
        meta,
        success: false,
      });
      throw new AuthException(AuthErrorCode.InvalidCredentials, INVALID_LOGIN);
    }
    // Told only to who knows the password: a guesser learns nothing about the account's state.
    if (user.disabledAt) {
      await this.audit.record({ action: 'auth.login', description: `Refused login for disabled user ${user.username}`, userId: user.id, meta, success: false });
      throw new AuthException(AuthErrorCode.UserDisabled, 'This account is disabled; ask an administrator');
    }
    await this.users.touchLastLogin(user.id);
    await this.audit.record({ action: 'auth.login', description: `User ${user.username} logged in (password)`, userId: user.id, meta });
    return this.issueTokens(user, randomUUID(), meta);
  }

  /**
   * Rotation with reuse detection: a refresh token works once. Presenting one that was already
   * used (or revoked) means it leaked, so the whole family — every token descended from the same
   * login — is revoked.
   */
  async refresh(token: string, meta: RequestMeta): Promise<AuthResponse> {
    const row = await this.refreshTokens.findOneBy({ tokenHash: sha256(token) });
    if (!row) throw new AuthException(AuthErrorCode.InvalidRefreshToken, 'Invalid refresh token');
    const user = await this.users.findById(row.userId);
    if (!user) throw new AuthException(AuthErrorCode.InvalidRefreshToken, 'Invalid refresh token');
    // Before reuse detection: disabling revoked the family, which is not a leak to report.
    if (user.disabledAt) throw new AuthException(AuthErrorCode.UserDisabled, 'This account is disabled; ask an administrator');
    if (row.usedAt || row.revokedAt) {
      await this.revokeFamily(row.userId, row.familyId);
      await this.audit.record({
        action: 'auth.refresh_reuse',
        description: 'A used refresh token was presented again: its session family was revoked',
        userId: row.userId,
        meta,
        success: false,
      });
      throw new AuthException(AuthErrorCode.RefreshTokenReused, 'Refresh token already used; the session was revoked');
    }
    if (row.expiresAt.getTime() <= Date.now()) throw new AuthException(AuthErrorCode.RefreshTokenExpired, 'Refresh token expired');
    // Claim the token atomically: of two concurrent refreshes only one wins, the other is reuse.
    const claimed = await this.refreshTokens.update({ id: row.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: new Date() });
    if (!claimed.affected) {
      await this.revokeFamily(row.userId, row.familyId);
      throw new AuthException(AuthErrorCode.RefreshTokenReused, 'Refresh token already used; the session was revoked');
    }
    return this.issueTokens(user, row.familyId, meta);
  }

  /** Revokes the session the refresh token belongs to. Unknown tokens are ignored (idempotent). */
  async logout(token: string, meta: RequestMeta): Promise<void> {
    const row = await this.refreshTokens.findOneBy({ tokenHash: sha256(token) });
    if (!row) return;
    await this.revokeFamily(row.userId, row.familyId);
    await this.audit.record({ action: 'auth.logout', description: 'Logged out', userId: row.userId, meta });
  }

  async me(userId: string): Promise<UserResponse> {
    const user = await this.users.findById(userId);
    if (!user) throw new AuthException(AuthErrorCode.UserNotFound, 'User not found');
    return toUser(user);
  }

  async updateProfile(current: AuthUser, dto: UpdateProfileDto, meta: RequestMeta): Promise<UserResponse> {
    const user = await this.users.findById(current.id);
    if (!user) throw new AuthException(AuthErrorCode.UserNotFound, 'User not found');
    if (dto.email !== undefined && dto.email.toLowerCase() !== user.email.toLowerCase()) {
      if (await this.users.isTaken('email', dto.email, user.id)) throw new AuthException(AuthErrorCode.EmailTaken, 'That email is already registered');
      user.email = dto.email;
    }
    if (dto.fullName !== undefined) user.fullName = dto.fullName || null;
    const saved = await this.db.getRepository(UserEntity).save(user);
    await this.audit.record({ action: 'auth.profile_update', description: 'Updated profile', userId: user.id, meta });
    return toUser(saved);
  }

  /** Changes the password and ends every other session (their access and refresh tokens stop working). */
  async changePassword(current: AuthUser, dto: ChangePasswordDto, meta: RequestMeta): Promise<AuthResponse> {
    this.requireLocalLogin();
    const user = await this.users.findById(current.id);
    if (!user) throw new AuthException(AuthErrorCode.UserNotFound, 'User not found');
    if (!(await verify(user.passwordHash, dto.currentPassword).catch(() => false))) {
      await this.audit.record({ action: 'auth.password_change', description: 'Wrong current password', userId: user.id, meta, success: false });
      throw new AuthException(AuthErrorCode.WrongPassword, 'Current password is incorrect');
    }
    // A temporary password (set by an admin) is to be replaced, not confirmed.
    if (user.mustChangePassword && dto.newPassword === dto.currentPassword) {
      throw new AuthException(AuthErrorCode.PasswordUnchanged, 'Choose a password other than the temporary one');
    }
    const wasTemporary = user.mustChangePassword;
    user.passwordHash = await hash(dto.newPassword, ARGON2);
    user.passwordChangedAt = new Date();
    user.mustChangePassword = false;
    await this.db.transaction(async (tx) => {
      await tx.getRepository(UserEntity).save(user);
      await tx.getRepository(RefreshTokenEntity).update({ userId: user.id, revokedAt: IsNull() }, { revokedAt: new Date() });
    });
    const session = randomUUID();
    this.events.emit('auth.sessions_revoked', { userId: user.id, exceptSessionId: session });
    const what = wasTemporary ? 'Replaced the temporary password' : 'Changed password';
    await this.audit.record({ action: 'auth.password_change', description: `${what}; other sessions revoked`, userId: user.id, meta });
    return this.issueTokens(user, session, meta);
  }

  /**
   * Completes a reset link: the token (stored only as its SHA-256) works once and until it expires.
   * Sets the new password, clears a pending temporary one and ends every session of the user (their
   * access tokens fail at once: they are pinned to the password). The user then signs in.
   */
  async completePasswordReset(dto: CompletePasswordResetDto, meta: RequestMeta): Promise<void> {
    this.requireLocalLogin();
    const passwordHash = await hash(dto.newPassword, ARGON2);
    const done = await this.db.transaction(async (tx) => {
      const [rows]: [{ user_id: string; username: string }[], number] = await tx.query(
        `UPDATE password_resets r SET used_at = now() FROM users u
          WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.id = r.user_id
          RETURNING r.user_id, u.username`,
        [sha256(dto.token)],
      );
      if (!rows[0]) return null;
      const userId = rows[0].user_id;
      await tx.query(
        'UPDATE users SET password_hash = $2, password_changed_at = now(), must_change_password = false, updated_at = now() WHERE id = $1',
        [userId, passwordHash],
      );
      const ended = await this.sessions.revokeAll(userId, tx);
      return { userId, username: rows[0].username, ended };
    });
    if (!done) {
      await this.audit.record({ action: 'auth.password_reset', description: 'Refused a password reset: unknown, used or expired link', userId: null, meta, success: false });
      throw new AuthException(AuthErrorCode.InvalidResetToken, 'This reset link is not valid (used, replaced or expired): ask an administrator for a new one');
    }
    this.sessions.announce(done.userId);
    await this.audit.record({
      action: 'auth.password_reset', description: `User ${done.username} set a new password with a reset link; ${done.ended} session(s) ended`, userId: done.userId, meta,
    });
  }

  /** Verifies an access token (REST strategy and the /live gateway); null when invalid or stale. */
  async verifyAccessToken(token: string): Promise<(AuthUser & { exp: number; sid: string }) | null> {
    let claims: AccessClaims & { exp: number };
    try {
      claims = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    return this.validateClaims(claims);
  }

  async validateClaims<T extends AccessClaims & { exp: number }>(claims: T): Promise<(AuthUser & { exp: number; sid: string }) | null> {
    if (typeof claims?.sub !== 'string' || typeof claims.sid !== 'string') return null;
    if (!UUID.test(claims.sub) || !UUID.test(claims.sid)) return null;
    // One round trip on every authenticated request: the user and whether the session is live.
    const rows: { username: string; role: 'admin' | 'user'; pwv: Date; live: boolean; must_change: boolean }[] = await this.db.query(
      `SELECT u.username, u.role, u.password_changed_at AS pwv, u.must_change_password AS must_change,
              EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = $2 AND r.user_id = u.id AND r.revoked_at IS NULL) AS live
       FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL`,
      [claims.sub, claims.sid],
    );
    const row = rows[0];
    if (!row || !row.live || row.pwv.getTime() !== claims.pwv) return null;
    return { id: claims.sub, username: row.username, role: row.role, exp: claims.exp, sid: claims.sid, ...(row.must_change ? { mustChangePassword: true } : {}) };
  }

  /**
   * A new session for a user another sign-in method (OpenID Connect) authenticated: the same token
   * pair and session family as a password login. The caller audits the sign-in.
   */
  startSession(user: UserEntity, meta: RequestMeta): Promise<AuthResponse> {
    return this.issueTokens(user, randomUUID(), meta);
  }

  private requireLocalLogin(): void {
    if (!this.config.localLogin) {
      throw new AuthException(AuthErrorCode.LocalLoginDisabled, 'Password sign-in is turned off on this instance: use single sign-on');
    }
  }

  private async revokeFamily(userId: string, familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.events.emit('auth.sessions_revoked', { userId, sessionId: familyId });
  }

  private async issueTokens(user: UserEntity, familyId: string, meta: RequestMeta): Promise<AuthResponse> {
    const claims: AccessClaims = {
      sub: user.id,
      username: user.username,
      role: user.role,
      pwv: user.passwordChangedAt.getTime(),
      sid: familyId,
      jti: randomUUID(),
    };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.accessTtlSec, algorithm: 'HS256' });
    const refreshToken = randomSecret();
    await this.refreshTokens.insert({
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTtlSec * 1000),
      ip: meta.ip?.slice(0, 64) ?? null,
      userAgent: meta.userAgent,
    });
    return { user: toUser(user), accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.config.accessTtlSec };
  }
}
