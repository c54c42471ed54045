import { domainException } from '../common/domain-exception';

export enum DatabaseErrorCode {
  /** PostgreSQL is stopped, restarting, frozen, unreachable or out of connections (see db-unavailable.ts). */
  Unavailable = 'database.unavailable',
}

export const DatabaseException = domainException<DatabaseErrorCode>('DatabaseException', {
  [DatabaseErrorCode.Unavailable]: 503,
});
