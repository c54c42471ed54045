import { domainException } from '../../common/domain-exception';

export enum RegistrationErrorCode {
  /** Registration is invite-only and no invite token came with the request. */
  InviteRequired = 'registration.invite_required',
  /** The invite token is unknown, used, revoked or expired. */
  InviteInvalid = 'registration.invite_invalid',
  /** The invite names another email address. */
  InviteEmailMismatch = 'registration.invite_email_mismatch',
  InviteNotFound = 'registration.invite_not_found',
}

export const RegistrationException = domainException<RegistrationErrorCode>('RegistrationException', {
  [RegistrationErrorCode.InviteRequired]: 403,
  [RegistrationErrorCode.InviteInvalid]: 403,
  [RegistrationErrorCode.InviteEmailMismatch]: 403,
  [RegistrationErrorCode.InviteNotFound]: 404,
});
