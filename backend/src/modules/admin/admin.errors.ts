import { domainException } from '../../common/domain-exception';

export enum AdminErrorCode {
  /** The route is for the instance admin only. */
  AdminRequired = 'admin.required',
  UserNotFound = 'admin.user_not_found',
  /** Disabling or demoting would leave no active admin. */
  LastAdmin = 'admin.last_admin',
  /** An admin may not disable themselves, nor reset their own password here (Profile changes it). */
  SelfAction = 'admin.self_action',
}

export const AdminException = domainException<AdminErrorCode>('AdminException', {
  [AdminErrorCode.AdminRequired]: 403,
  [AdminErrorCode.UserNotFound]: 404,
  [AdminErrorCode.LastAdmin]: 409,
  [AdminErrorCode.SelfAction]: 403,
});
