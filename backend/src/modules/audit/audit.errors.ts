import { domainException } from '../../common/domain-exception';

export enum AuditErrorCode {
  BadCursor = 'audit.bad_cursor',
}

export const AuditException = domainException<AuditErrorCode>('AuditException', {
  [AuditErrorCode.BadCursor]: 400,
});
