import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import * as client from 'openid-client';
import { APP_CONFIG, AppConfig, OidcConfig } from '../../../config/config';
import { OidcErrorCode, OidcException } from './oidc.errors';
import { OIDC_STATE_TTL_MS, OidcPendingSignIn } from './oidc-state';

/** After a failed discovery, sign-ins within this window fail at once instead of waiting on the provider again. */
const RETRY_AFTER_FAILURE_MS = 2_000;
/** Seconds one request to the provider may take (openid-client's `timeout`). */
const PROVIDER_TIMEOUT_SEC = 10;

/** What the callback learned about the person, from the ID token and the userinfo endpoint. */
export interface OidcIdentityClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  preferredUsername: string | null;
  name: string | null;
  /** The OIDC_GROUPS_CLAIM values (strings only). */
  groups: string[];
  /** Every claim, for mappings (e.g. claim → team) that want more. */
  claims: Record<string, unknown>;
}

/**
 * The relying party: discovers the provider (at start, in the background, and again lazily while
 * it is down), builds authorization requests (code + PKCE S256 + state + nonce) and validates the
 * callback (state, PKCE, ID token signature, issuer, audience, nonce) with openid-client.
 */
@Injectable()
export class OidcClientService implements OnApplicationBootstrap {
  private readonly logger = new Logger('OIDC');
  private readonly oidc: OidcConfig | null;
  private discovered: client.Configuration | null = null;
  private inFlight: Promise<client.Configuration> | null = null;
  private lastFailureAt = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.oidc = config.oidc;
  }

  get settings(): OidcConfig | null {
    return this.oidc;
  }

  onApplicationBootstrap(): void {
    if (!this.oidc) return;
    // Never holds up the start, never crashes it: a provider that is down is retried on the next sign-in.
    void this.configuration().catch(() => undefined);
  }

  /** The authorization URL to send the browser to, and what the callback will need to check. */
  async begin(returnTo: string): Promise<{ url: URL; pending: OidcPendingSignIn }> {
    const oidc = this.require();
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: OidcPendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      returnTo,
      expiresAt: Date.now() + OIDC_STATE_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: oidc.redirectUri,
      scope: oidc.scopes,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Validates the callback and exchanges the code; throws OidcException with the reason. */
  async complete(query: string, pending: OidcPendingSignIn): Promise<OidcIdentityClaims> {
    const oidc = this.require();
    // Checked before anything else (openid-client checks it again): a foreign state is not this browser's sign-in.
    if (new URLSearchParams(query).get('state') !== pending.state) {
      throw new OidcException(OidcErrorCode.StateInvalid, 'The sign-in state does not match; start again');
    }
    const config = await this.configuration();
    const currentUrl = new URL(oidc.redirectUri);
    currentUrl.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw this.exchangeError(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcException(OidcErrorCode.ExchangeFailed, 'The provider returned no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        // The ID token's own claims (iss, sub, aud, nonce...) win over userinfo's.
        claims = { ...info, ...idClaims };
      } catch (err) {
        throw this.exchangeError(err);
      }
    }
    const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : null);
    const rawGroups = claims[oidc.groupsClaim];
    const groups = (Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? [rawGroups] : [])
      .filter((g): g is string => typeof g === 'string');
    return {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      email: str(claims.email, 254),
      emailVerified: claims.email_verified === true,
      preferredUsername: str(claims.preferred_username, 200),
      name: str(claims.name, 200),
      groups,
      claims,
    };
  }

  private require(): OidcConfig {
    if (!this.oidc) throw new OidcException(OidcErrorCode.Disabled, 'Single sign-on is not configured on this instance');
    return this.oidc;
  }

  /** The discovered provider; discovery is retried lazily after a failure (at most every few seconds). */
  private configuration(): Promise<client.Configuration> {
    if (this.discovered) return Promise.resolve(this.discovered);
    if (this.inFlight) return this.inFlight;
    const oidc = this.require();
    if (Date.now() - this.lastFailureAt < RETRY_AFTER_FAILURE_MS) {
      return Promise.reject(new OidcException(OidcErrorCode.ProviderUnavailable, 'The sign-in provider is unavailable; try again shortly'));
    }
    this.inFlight = client
      .discovery(new URL(oidc.issuer), oidc.clientId, undefined, oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None(), {
        execute: oidc.allowHttp ? [client.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_SEC,
      })
      .then(
        (config) => {
          this.discovered = config;
          this.logger.log(`Single sign-on ready: discovered ${oidc.issuer} (client ${oidc.clientId}, redirect ${oidc.redirectUri})`);
          return config;
        },
        (err: unknown) => {
          this.lastFailureAt = Date.now();
          this.logger.warn(`Discovery of ${oidc.issuer} failed (${describe(err)}): single sign-on answers "unavailable" and retries on the next sign-in`);
          throw new OidcException(OidcErrorCode.ProviderUnavailable, 'The sign-in provider is unavailable; try again shortly');
        },
      )
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private exchangeError(err: unknown): InstanceType<typeof OidcException> {
    if (err instanceof client.AuthorizationResponseError) {
      return new OidcException(OidcErrorCode.Denied, `The provider refused the sign-in (${err.error})`);
    }
    if (isNetworkError(err)) {
      this.logger.warn(`The provider did not answer the code exchange (${describe(err)})`);
      return new OidcException(OidcErrorCode.ProviderUnavailable, 'The sign-in provider is unavailable; try again shortly');
    }
    // Messages name the failed check ("unexpected ID Token "nonce" claim value", "invalid_grant"), never a token.
    this.logger.warn(`Sign-in callback refused: ${describe(err)}`);
    return new OidcException(OidcErrorCode.ExchangeFailed, 'The sign-in could not be completed; start again');
  }
}

function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  // fetch failures: TypeError("fetch failed") with the socket error as the cause.
  return err instanceof TypeError && /fetch failed/i.test(err.message);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  const code = (err as Error & { code?: unknown; error?: unknown }).error ?? (err as Error & { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}${cause}`.slice(0, 300);
}
