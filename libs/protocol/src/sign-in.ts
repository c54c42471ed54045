/** Sign-in options and personal API tokens (docs/api.md "Sign-in", docs/security.md). */
import { CAPABILITIES, READ_CAPABILITIES } from './access';

/** `GET /auth/oidc/config`: what the sign-in page offers. */
export interface SignInOptions {
  /** Single sign-on through OpenID Connect is configured (OIDC_ISSUER). */
  oidcEnabled: boolean;
  /** The label of the single sign-on button (OIDC_BUTTON_LABEL). */
  oidcButtonLabel: string;
  /** Password sign-in and registration are on (LOCAL_LOGIN, default true). */
  localLogin: boolean;
}

/** The `error` query value the sign-in page receives when a single sign-on attempt fails. */
export const OIDC_SIGN_IN_ERRORS = [
  'oidc.disabled',
  'oidc.provider_unavailable',
  'oidc.state_invalid',
  'oidc.denied',
  'oidc.exchange_failed',
  'oidc.email_in_use',
  'oidc.account_disabled',
  'oidc.registration_closed',
] as const;
export type OidcSignInError = (typeof OIDC_SIGN_IN_ERRORS)[number];

/** Prefix of every personal API token: `cop_` + 32 random bytes, base64url. */
export const PERSONAL_TOKEN_PREFIX = 'cop_';
/** The longest lifetime a personal token may be given. */
export const PERSONAL_TOKEN_MAX_DAYS = 366;

/**
 * The scopes a personal token may be limited to: the capability names of the access model
 * (`CAPABILITIES`, docs/access.md) plus `admin` for the instance admin's routes. An empty or absent
 * list grants what the user may do. A scoped token can do what the user may do AND what a scope
 * names: on a server, `AccessService` intersects the user's capabilities there with the scopes
 * (403 `token.scope_denied` naming the capability). The one list is here so backend and dashboard agree.
 */
export const TOKEN_SCOPES = [...CAPABILITIES, 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const isTokenScope = (value: unknown): value is TokenScope =>
  typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);

/**
 * Scope names accepted before scopes were capability names, and what they mean now. Still accepted
 * on creation (rewritten to the capability); stored rows were migrated.
 */
export const LEGACY_TOKEN_SCOPES: Readonly<Record<string, TokenScope>> = {
  'servers.read': 'server.read',
  'servers.manage': 'server.manage',
  'docker.read': 'containers.read',
  'docker.act': 'docker.action',
  'commands.exec': 'commands.run',
  'audit.read': 'server.read',
};

/** A scope name as accepted on creation: current ones as they are, legacy ones rewritten, anything else unchanged (then refused). */
export const normalizeTokenScope = (value: unknown): unknown =>
  typeof value === 'string' && Object.hasOwn(LEGACY_TOKEN_SCOPES, value) ? LEGACY_TOKEN_SCOPES[value] : value;

/** A scope list that allows only reads (every scope is a read capability): such a token may only send GET requests. */
export const isReadOnlyScopes = (scopes: readonly string[]) =>
  scopes.length > 0 && scopes.every((s) => (READ_CAPABILITIES as readonly string[]).includes(s));

export interface PersonalToken {
  id: string;
  name: string;
  /** The first characters of the secret (`cop_` + 8), to recognise it. */
  prefix: string;
  scopes: TokenScope[];
  /** The teams (and/or your personal servers) the token is limited to; null: every server you may reach. */
  teamScope: PersonalTokenTeamScope | null;
  expiresAt: string;
  /** Updated at most once a minute. */
  lastUsedAt: string | null;
  createdAt: string;
}

/** The `teams` entry that stands for your personal servers (the ones you own, not held by a team). */
export const PERSONAL_TOKEN_SCOPE_PERSONAL = 'personal';
/** At most this many entries in a token's `teams`. */
export const PERSONAL_TOKEN_MAX_TEAMS = 50;

/**
 * A token limited to teams reaches only the servers held by those teams (while you are a member)
 * and, with `personal`, your personal servers. Teams deleted since are left out of `teams`.
 */
export interface PersonalTokenTeamScope {
  personal: boolean;
  teams: { id: string; name: string }[];
}

export interface CreatePersonalTokenRequest {
  name: string;
  expiresAt: string;
  scopes?: TokenScope[];
  /** Team ids you are a member of and/or `personal`; absent or null: not limited to teams. */
  teams?: string[] | null;
}

export interface CreatedPersonalToken extends PersonalToken {
  /** The secret (`cop_…`), shown in this response only. */
  token: string;
}
