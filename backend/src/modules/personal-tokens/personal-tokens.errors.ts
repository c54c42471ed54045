import { domainException } from '../../common/domain-exception';

export enum PersonalTokenErrorCode {
  NotFound = 'token.not_found',
  /** Unknown or malformed `cop_` token. */
  Invalid = 'token.invalid',
  Expired = 'token.expired',
  Revoked = 'token.revoked',
  ExpiryInPast = 'token.expiry_in_past',
  ExpiryTooFar = 'token.expiry_too_far',
  /** Creating tokens, changing the password or the profile needs a signed-in session, not a token. */
  SessionRequired = 'token.session_required',
  /**
   * The token's scopes do not include what the route needs: a read-only token (only read
   * capabilities) used for a change, or a capability (named in the details, `via: token`) it lacks.
   */
  ScopeDenied = 'token.scope_denied',
  /** A token may be limited only to teams you are a member of (the ones you are not are named in the details). */
  TeamNotMember = 'token.team_not_member',
}

export const PersonalTokenException = domainException<PersonalTokenErrorCode>('PersonalTokenException', {
  [PersonalTokenErrorCode.NotFound]: 404,
  [PersonalTokenErrorCode.Invalid]: 401,
  [PersonalTokenErrorCode.Expired]: 401,
  [PersonalTokenErrorCode.Revoked]: 401,
  [PersonalTokenErrorCode.ExpiryInPast]: 400,
  [PersonalTokenErrorCode.ExpiryTooFar]: 400,
  [PersonalTokenErrorCode.SessionRequired]: 403,
  [PersonalTokenErrorCode.ScopeDenied]: 403,
  [PersonalTokenErrorCode.TeamNotMember]: 403,
});
