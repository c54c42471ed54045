import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { PERSONAL_TOKEN_MAX_DAYS, PERSONAL_TOKEN_PREFIX, PERSONAL_TOKEN_SCOPE_PERSONAL, type TokenScope, type UserRole } from '@chatops/protocol';
import { AuthToken, AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import { randomSecret, sha256 } from '../auth/token.util';
import { CreatePersonalTokenDto } from './dto/personal-token.dto';
import { CreatedPersonalTokenResponse, PersonalTokenResponse } from './dto/personal-token.response';
import { PersonalTokenEntity, toPersonalToken } from './personal-token.entity';
import { PersonalTokenErrorCode, PersonalTokenException } from './personal-tokens.errors';

const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** `cop_` + 32 random bytes in base64url. */
const TOKEN_SHAPE = /^cop_[A-Za-z0-9_-]{43}$/;
/** Shown in lists so a person can tell tokens apart: `cop_` and 8 characters of the secret. */
const PREFIX_LENGTH = PERSONAL_TOKEN_PREFIX.length + 8;

/** Whether an Authorization header carries a personal token rather than a JWT. */
export const isPersonalTokenHeader = (header: unknown): header is string =>
  typeof header === 'string' && header.slice(0, 7).toLowerCase() === 'bearer ' && header.slice(7).trimStart().startsWith(PERSONAL_TOKEN_PREFIX);

@Injectable()
export class PersonalTokensService {
  /** tokenId → when lastUsedAt was last written: a busy script costs one UPDATE a minute at most. */
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    @InjectRepository(PersonalTokenEntity) private readonly tokens: Repository<PersonalTokenEntity>,
    private readonly audit: AuditService,
  ) {}

  async create(user: AuthUser, dto: CreatePersonalTokenDto, meta: RequestMeta): Promise<CreatedPersonalTokenResponse> {
    const expiresAt = new Date(dto.expiresAt);
    if (expiresAt.getTime() <= Date.now()) throw new PersonalTokenException(PersonalTokenErrorCode.ExpiryInPast, 'expiresAt must be in the future');
    if (expiresAt.getTime() > Date.now() + PERSONAL_TOKEN_MAX_DAYS * DAY_MS) {
      throw new PersonalTokenException(PersonalTokenErrorCode.ExpiryTooFar, `expiresAt must be at most ${PERSONAL_TOKEN_MAX_DAYS} days away`);
    }
    const teamScope = dto.teams ? [...new Set(dto.teams)] : null;
    const teamNames = await this.memberTeamNames(user.id, teamScope ?? []);
    const foreign = (teamScope ?? []).filter((id) => id !== PERSONAL_TOKEN_SCOPE_PERSONAL && !teamNames.has(id));
    if (foreign.length) {
      throw new PersonalTokenException(
        PersonalTokenErrorCode.TeamNotMember,
        'A token may be limited only to teams you are a member of',
        foreign.map((teamId) => ({ teamId })),
      );
    }
    const token = PERSONAL_TOKEN_PREFIX + randomSecret(32);
    const saved = await this.tokens.save(this.tokens.create({
      userId: user.id,
      name: dto.name,
      tokenHash: sha256(token),
      tokenPrefix: token.slice(0, PREFIX_LENGTH),
      scopes: dto.scopes ?? [],
      teamScope,
      expiresAt,
    }));
    const scopes = saved.scopes.length ? saved.scopes.join(', ') : 'all';
    const teams = teamScope ? `, teams: ${teamScope.map((id) => (id === PERSONAL_TOKEN_SCOPE_PERSONAL ? 'personal' : `"${teamNames.get(id)}"`)).join(', ') || 'none'}` : '';
    await this.audit.record({
      action: 'token.create',
      description: `Created personal API token "${saved.name}" (${saved.tokenPrefix}…, scopes: ${scopes}${teams}, expires ${saved.expiresAt.toISOString()})`,
      userId: user.id,
      meta,
    });
    return { ...toPersonalToken(saved, teamNames), token };
  }

  /** id → name of those of `ids` that are teams `userId` is a member of (`personal` and others are ignored). */
  private async memberTeamNames(userId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const teamIds = ids.filter((id) => id !== PERSONAL_TOKEN_SCOPE_PERSONAL);
    if (!teamIds.length) return new Map();
    const rows = (await this.tokens.query(
      'SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = $1 WHERE t.id = ANY($2::uuid[])',
      [userId, teamIds],
    )) as { id: string; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The user's tokens that were not revoked, newest first (expired ones included, until revoked). */
  async list(user: AuthUser): Promise<PersonalTokenResponse[]> {
    const rows = await this.tokens.find({ where: { userId: user.id, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
    const teamIds = [...new Set(rows.flatMap((r) => (r.teamScope ?? []).filter((id) => id !== PERSONAL_TOKEN_SCOPE_PERSONAL)))];
    const names = teamIds.length
      ? new Map(((await this.tokens.query('SELECT id, name FROM teams WHERE id = ANY($1::uuid[])', [teamIds])) as { id: string; name: string }[]).map((r) => [r.id, r.name]))
      : new Map<string, string>();
    return rows.map((r) => toPersonalToken(r, names));
  }

  async revoke(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const row = await this.tokens.findOneBy({ id, userId: user.id, revokedAt: IsNull() });
    if (!row) throw new PersonalTokenException(PersonalTokenErrorCode.NotFound, 'Token not found');
    await this.tokens.update({ id }, { revokedAt: new Date() });
    await this.audit.record({ action: 'token.revoke', description: `Revoked personal API token "${row.name}" (${row.tokenPrefix}…)`, userId: user.id, meta });
  }

  /**
   * Authenticates `Authorization: Bearer cop_…`: one indexed lookup by the secret's SHA-256, joined
   * with its user. Throws 401 with the reason (invalid, revoked, expired).
   */
  async authenticate(header: string): Promise<AuthUser> {
    const secret = header.slice(7).trim();
    if (!TOKEN_SHAPE.test(secret)) throw new PersonalTokenException(PersonalTokenErrorCode.Invalid, 'Invalid personal API token');
    const rows: { id: string; user_id: string; scopes: TokenScope[]; team_scope: string[] | null; expires_at: Date; revoked_at: Date | null; username: string; role: UserRole; disabled_at: Date | null; must_change_password: boolean }[] =
      await this.tokens.query(
        `SELECT t.id, t.user_id, t.scopes, t.team_scope, t.expires_at, t.revoked_at, u.username, u.role, u.disabled_at, u.must_change_password
           FROM personal_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1`,
        [sha256(secret)],
      );
    const row = rows[0];
    if (!row) throw new PersonalTokenException(PersonalTokenErrorCode.Invalid, 'Invalid personal API token');
    if (row.revoked_at) throw new PersonalTokenException(PersonalTokenErrorCode.Revoked, 'This personal API token was revoked');
    if (row.expires_at.getTime() <= Date.now()) throw new PersonalTokenException(PersonalTokenErrorCode.Expired, 'This personal API token has expired');
    // The owner's account was disabled by an admin: every token of theirs stops with it.
    if (row.disabled_at) throw new PersonalTokenException(PersonalTokenErrorCode.Revoked, 'The account this personal API token belongs to is disabled');
    this.markUsed(row.id);
    const token: AuthToken = {
      id: row.id,
      scopes: row.scopes,
      teamScope: row.team_scope
        ? { teamIds: row.team_scope.filter((id) => id !== PERSONAL_TOKEN_SCOPE_PERSONAL), personal: row.team_scope.includes(PERSONAL_TOKEN_SCOPE_PERSONAL) }
        : null,
    };
    return { id: row.user_id, username: row.username, role: row.role, token, ...(row.must_change_password ? { mustChangePassword: true } : {}) };
  }

  private markUsed(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWrites.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    if (this.lastUsedWrites.size > 10_000) this.lastUsedWrites.clear();
    void this.tokens.update({ id }, { lastUsedAt: new Date(now) }).catch(() => this.lastUsedWrites.delete(id));
  }
}
