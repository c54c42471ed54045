import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { PERSONAL_TOKEN_MAX_DAYS, PERSONAL_TOKEN_PREFIX, type TokenScope, type UserRole } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
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
    const token = PERSONAL_TOKEN_PREFIX + randomSecret(32);
    const saved = await this.tokens.save(this.tokens.create({
      userId: user.id,
      name: dto.name,
      tokenHash: sha256(token),
      tokenPrefix: token.slice(0, PREFIX_LENGTH),
      scopes: dto.scopes ?? [],
      expiresAt,
    }));
    const scopes = saved.scopes.length ? saved.scopes.join(', ') : 'all';
    await this.audit.record({
      action: 'token.create',
      description: `Created personal API token "${saved.name}" (${saved.tokenPrefix}…, scopes: ${scopes}, expires ${saved.expiresAt.toISOString()})`,
      userId: user.id,
      meta,
    });
    return { ...toPersonalToken(saved), token };
  }

  /** The user's tokens that were not revoked, newest first (expired ones included, until revoked). */
  async list(user: AuthUser): Promise<PersonalTokenResponse[]> {
    const rows = await this.tokens.find({ where: { userId: user.id, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
    return rows.map(toPersonalToken);
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
    const rows: { id: string; user_id: string; scopes: TokenScope[]; expires_at: Date; revoked_at: Date | null; username: string; role: UserRole; disabled_at: Date | null; must_change_password: boolean }[] =
      await this.tokens.query(
        `SELECT t.id, t.user_id, t.scopes, t.expires_at, t.revoked_at, u.username, u.role, u.disabled_at, u.must_change_password
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
    return { id: row.user_id, username: row.username, role: row.role, token: { id: row.id, scopes: row.scopes }, ...(row.must_change_password ? { mustChangePassword: true } : {}) };
  }

  private markUsed(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWrites.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    if (this.lastUsedWrites.size > 10_000) this.lastUsedWrites.clear();
    void this.tokens.update({ id }, { lastUsedAt: new Date(now) }).catch(() => this.lastUsedWrites.delete(id));
  }
}
