import { domainException } from '../../common/domain-exception';

export enum AccessErrorCode {
  /** The server is visible to the caller but their role lacks the capability (named in the message and details). */
  Forbidden = 'access.forbidden',
}

export const AccessException = domainException<AccessErrorCode>('AccessException', {
  [AccessErrorCode.Forbidden]: 403,
});
