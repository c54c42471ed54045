import { domainException } from '../../common/domain-exception';

export enum AuthErrorCode {
  InvalidCredentials = 'auth.invalid_credentials',
  EmailTaken = 'auth.email_taken',
  UsernameTaken = 'auth.username_taken',
  WrongPassword = 'auth.wrong_password',
  /** Missing, malformed or forged access token. */
  Unauthenticated = 'auth.unauthenticated',
  TokenExpired = 'auth.token_expired',
  /** The token's session was ended (logout, password change, refresh-token reuse) or its user is gone. */
  SessionRevoked = 'auth.session_revoked',
  InvalidRefreshToken = 'auth.invalid_refresh_token',
  RefreshTokenReused = 'auth.refresh_token_reused',
  RefreshTokenExpired = 'auth.refresh_token_expired',
  /** A body without `refreshToken` from an API client. */
  RefreshTokenRequired = 'auth.refresh_token_required',
  /** Cookie mode without the cookie. */
  MissingRefreshToken = 'auth.missing_refresh_token',
  /** The refresh cookie came without `X-ChatOps-Refresh: 1`. */
  RefreshHeaderRequired = 'auth.refresh_header_required',
  UserNotFound = 'user.not_found',
  /** An admin disabled the account: no sign-in, refresh or token works until it is enabled again. */
  UserDisabled = 'auth.user_disabled',
  /** `DELETE /auth/sessions/{id}` named no session of the signed-in user. */
  SessionNotFound = 'auth.session_not_found',
  /** LOCAL_LOGIN=false: password sign-in, registration and password changes are off (single sign-on only). */
  LocalLoginDisabled = 'auth.local_login_disabled',
  /** The user signs in with a temporary password an admin set: only change-password, logout and `me` work until it is changed. */
  PasswordChangeRequired = 'auth.password_change_required',
  /** The new password is the temporary one: choose another. */
  PasswordUnchanged = 'auth.password_unchanged',
  /** A reset link's token that is unknown, already used, replaced by a newer link or expired. */
  InvalidResetToken = 'auth.invalid_reset_token',
}

export const AuthException = domainException<AuthErrorCode>('AuthException', {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.EmailTaken]: 409,
  [AuthErrorCode.UsernameTaken]: 409,
  [AuthErrorCode.WrongPassword]: 403,
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.TokenExpired]: 401,
  [AuthErrorCode.SessionRevoked]: 401,
  [AuthErrorCode.InvalidRefreshToken]: 401,
  [AuthErrorCode.RefreshTokenReused]: 401,
  [AuthErrorCode.RefreshTokenExpired]: 401,
  [AuthErrorCode.RefreshTokenRequired]: 400,
  [AuthErrorCode.MissingRefreshToken]: 401,
  [AuthErrorCode.RefreshHeaderRequired]: 403,
  [AuthErrorCode.UserNotFound]: 404,
  [AuthErrorCode.UserDisabled]: 403,
  [AuthErrorCode.SessionNotFound]: 404,
  [AuthErrorCode.LocalLoginDisabled]: 403,
  [AuthErrorCode.PasswordChangeRequired]: 403,
  [AuthErrorCode.PasswordUnchanged]: 400,
  [AuthErrorCode.InvalidResetToken]: 400,
});
