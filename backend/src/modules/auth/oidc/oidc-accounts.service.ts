import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { UserRole } from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { RequestMeta } from '../../../common/decorators';
import { EventBus } from '../../../events';
import { AuditService } from '../../audit/audit.service';
import { RegistrationService } from '../../registration/registration.service';
import { UserEntity } from '../../users/user.entity';
import { sha256 } from '../token.util';
import { OidcIdentityClaims } from './oidc-client.service';
import { OidcErrorCode, OidcException } from './oidc.errors';
import { UserIdentityEntity } from './user-identity.entity';

/**
 * Not an argon2 hash: `verify` refuses it, so an account made by single sign-on has no password
 * anyone could guess (password login and change-password fail for it).
 */
const NO_PASSWORD = '!oidc';
const USERNAME_CHARS = /[^A-Za-z0-9._-]+/g;

/**
 * Finds or creates the account of a provider identity, by (issuer, subject). A new identity whose
 * email belongs to an existing account is linked to it only with OIDC_LINK_VERIFIED_EMAIL=true and
 * a provider that says the email is verified; otherwise it is refused (`oidc.email_in_use`). A
 * disabled account is refused (`oidc.account_disabled`); while registration is invite-only no new
 * account is created (`oidc.registration_closed`), except the very first one.
 */
@Injectable()
export class OidcAccountsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly registration: RegistrationService,
  ) {}

  async signIn(identity: OidcIdentityClaims, meta: RequestMeta): Promise<UserEntity> {
    let roleChanged = false;
    const applyRole = async (tx: EntityManager, account: UserEntity) => {
      const role = this.mappedRole(identity);
      if (!role || role === account.role) return account;
      await tx.getRepository(UserEntity).update({ id: account.id }, { role });
      roleChanged = true;
      return Object.assign(account, { role });
    };
    const { user, created, linked } = await this.db.transaction(async (tx): Promise<{ user: UserEntity; created: boolean; linked: boolean }> => {
      // The same lock as registration: exactly one "first user" becomes admin, and two first
      // sign-ins of one identity do not create two accounts.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('chatops.register'))`);
      const identities = tx.getRepository(UserIdentityEntity);
      const users = tx.getRepository(UserEntity);
      const known = await identities.findOneBy({ issuer: identity.issuer, subject: identity.subject });
      if (known) {
        await identities.update({ id: known.id }, { lastLoginAt: new Date(), email: identity.email });
        const existing = await users.findOneBy({ id: known.userId });
        if (existing) return { user: existing.disabledAt ? existing : await applyRole(tx, existing), created: false, linked: false };
        await identities.delete({ id: known.id }); // cannot happen with the foreign key; stay safe
      }
      const sameEmail = identity.email
        ? await users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: identity.email }).getOne()
        : null;
      let account: UserEntity;
      let isNew = false;
      if (sameEmail) {
        if (!(this.config.oidc?.linkVerifiedEmail && identity.emailVerified)) {
          throw new OidcException(OidcErrorCode.EmailInUse, 'An account with this email already exists; sign in with its password');
        }
        account = sameEmail;
      } else {
        if ((await this.registration.settings(tx)).mode === 'invite' && (await tx.getRepository(UserEntity).exists())) {
          throw new OidcException(OidcErrorCode.RegistrationClosed, 'Registration is by invitation only; no account is created by single sign-on');
        }
        account = await this.createUser(tx, identity);
        isNew = true;
      }
      await identities.insert({ userId: account.id, issuer: identity.issuer, subject: identity.subject, email: identity.email, lastLoginAt: new Date() });
      return { user: await applyRole(tx, account), created: isNew, linked: !isNew };
    });
    if (user.disabledAt) {
      await this.audit.record({ action: 'auth.login', description: `Refused single sign-on for disabled user ${user.username}`, userId: user.id, meta, success: false });
      throw new OidcException(OidcErrorCode.AccountDisabled, 'This account is disabled; ask an administrator');
    }
    if (created) await this.audit.record({ action: 'auth.register', description: `Registered user ${user.username} (single sign-on)`, userId: user.id, meta });
    if (linked) await this.audit.record({ action: 'auth.identity_link', description: `Linked a single sign-on identity by verified email to ${user.username}`, userId: user.id, meta });
    if (roleChanged) {
      await this.audit.record({ action: 'user.role_change', description: `Role of ${user.username} set to ${user.role} from the sign-in provider's groups`, userId: user.id, meta });
    }
    await this.audit.record({ action: 'auth.login', description: `User ${user.username} logged in (single sign-on)`, userId: user.id, meta });
    // Awaited: the team mapping's memberships are in place before the session is issued.
    await this.events.emitAsync('auth.oidc_signed_in', {
      userId: user.id,
      issuer: identity.issuer,
      subject: identity.subject,
      groups: identity.groups,
      claims: identity.claims,
    });
    return user;
  }

  private async createUser(tx: EntityManager, identity: OidcIdentityClaims): Promise<UserEntity> {
    const users = tx.getRepository(UserEntity);
    const first = (await users.count()) === 0;
    const username = await this.freeUsername(tx, identity);
    // The email column is required and unique: an identity without one gets a reserved, unroutable address.
    const email = identity.email ?? `${sha256(`${identity.issuer}|${identity.subject}`).slice(0, 16)}@sso.invalid`;
    return users.save(users.create({
      email,
      username,
      fullName: identity.name,
      passwordHash: NO_PASSWORD,
      role: first ? 'admin' : 'user',
      passwordChangedAt: new Date(),
    }));
  }

  /** preferred_username, else the email's local part, made valid and unique (`name`, `name-2`, ...). */
  private async freeUsername(tx: EntityManager, identity: OidcIdentityClaims): Promise<string> {
    const source = identity.preferredUsername ?? identity.email?.split('@')[0] ?? 'user';
    let base = source.replace(USERNAME_CHARS, '-').replace(/^-+|-+$/g, '').slice(0, 56);
    if (base.length < 3) base = `user-${base}`.replace(/-+$/, '').padEnd(3, '0');
    const taken = new Set<string>(
      (await tx.query(`SELECT lower(username) AS u FROM users WHERE lower(username) LIKE lower($1) || '%'`, [base]) as { u: string }[]).map((r) => r.u),
    );
    if (!taken.has(base.toLowerCase())) return base;
    for (let i = 2; i < 1000; i++) if (!taken.has(`${base}-${i}`.toLowerCase())) return `${base}-${i}`;
    return `${base}-${sha256(identity.subject).slice(0, 6)}`;
  }

  /** With OIDC_ADMIN_GROUPS set the provider decides the instance role at every sign-in; null: roles are kept. */
  private mappedRole(identity: OidcIdentityClaims): UserRole | null {
    const adminGroups = this.config.oidc?.adminGroups ?? [];
    if (!adminGroups.length) return null;
    return identity.groups.some((g) => adminGroups.includes(g)) ? 'admin' : 'user';
  }
}
