import type { OidcSignInError } from '@chatops/protocol';
import { domainException } from '../../../common/domain-exception';

/**
 * Single sign-on failures. The browser-facing callback turns each into a redirect to the sign-in
 * page with `?oidcError=<code>`; the JSON routes answer them with the status below.
 */
export enum OidcErrorCode {
  /** OIDC_ISSUER is not configured. */
  Disabled = 'oidc.disabled',
  /** Discovery or the token exchange could not reach the provider. */
  ProviderUnavailable = 'oidc.provider_unavailable',
  /** No, an expired or a forged sign-in state (cookie), or a state that does not match. */
  StateInvalid = 'oidc.state_invalid',
  /** The provider answered with an error (the user declined, the provider refused). */
  Denied = 'oidc.denied',
  /** The code exchange or the ID token failed validation (replayed code, wrong nonce, issuer, audience...). */
  ExchangeFailed = 'oidc.exchange_failed',
  /** A local account has the same email and linking by verified email is off (OIDC_LINK_VERIFIED_EMAIL). */
  EmailInUse = 'oidc.email_in_use',
  /** An admin disabled the account this identity signs into. */
  AccountDisabled = 'oidc.account_disabled',
  /** Registration is invite-only: single sign-on signs into existing accounts but creates none. */
  RegistrationClosed = 'oidc.registration_closed',
}

// Every code is one the sign-in page knows (OIDC_SIGN_IN_ERRORS): checked by the compiler.
const KNOWN: Record<OidcErrorCode, OidcSignInError> = {
  [OidcErrorCode.Disabled]: 'oidc.disabled',
  [OidcErrorCode.ProviderUnavailable]: 'oidc.provider_unavailable',
  [OidcErrorCode.StateInvalid]: 'oidc.state_invalid',
  [OidcErrorCode.Denied]: 'oidc.denied',
  [OidcErrorCode.ExchangeFailed]: 'oidc.exchange_failed',
  [OidcErrorCode.EmailInUse]: 'oidc.email_in_use',
  [OidcErrorCode.AccountDisabled]: 'oidc.account_disabled',
  [OidcErrorCode.RegistrationClosed]: 'oidc.registration_closed',
};
export const signInErrorOf = (code: OidcErrorCode): OidcSignInError => KNOWN[code];

export const OidcException = domainException<OidcErrorCode>('OidcException', {
  [OidcErrorCode.Disabled]: 404,
  [OidcErrorCode.ProviderUnavailable]: 503,
  [OidcErrorCode.StateInvalid]: 400,
  [OidcErrorCode.Denied]: 401,
  [OidcErrorCode.ExchangeFailed]: 401,
  [OidcErrorCode.EmailInUse]: 409,
  [OidcErrorCode.AccountDisabled]: 403,
  [OidcErrorCode.RegistrationClosed]: 403,
});
