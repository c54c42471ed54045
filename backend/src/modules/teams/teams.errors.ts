import { domainException } from '../../common/domain-exception';

export enum TeamErrorCode {
  /** No such team, or not one of yours: the same answer, so nothing about other teams leaks. */
  NotFound = 'team.not_found',
  /** The user to add (by username or email) does not exist. */
  UserNotFound = 'team.user_not_found',
  /** The user is not a member of the team. */
  MemberNotFound = 'team.member_not_found',
  AlreadyMember = 'team.already_member',
  /** The change would leave the team without an admin. */
  LastAdmin = 'team.last_admin',
  /** The team still holds servers: move them out first. */
  HasServers = 'team.has_servers',
  /** Your role in the team does not allow this (managing members and the team needs `admin`). */
  Forbidden = 'team.forbidden',
  /** No such invite link (unknown or malformed token, or an invite id not of this team). */
  InviteNotFound = 'team.invite_not_found',
  InviteExpired = 'team.invite_expired',
  InviteRevoked = 'team.invite_revoked',
  /** Every use of the invite link was taken. */
  InviteUsedUp = 'team.invite_used_up',
}

export const TeamException = domainException<TeamErrorCode>('TeamException', {
  [TeamErrorCode.NotFound]: 404,
  [TeamErrorCode.UserNotFound]: 404,
  [TeamErrorCode.MemberNotFound]: 404,
  [TeamErrorCode.AlreadyMember]: 409,
  [TeamErrorCode.LastAdmin]: 409,
  [TeamErrorCode.HasServers]: 409,
  [TeamErrorCode.Forbidden]: 403,
  [TeamErrorCode.InviteNotFound]: 404,
  [TeamErrorCode.InviteExpired]: 410,
  [TeamErrorCode.InviteRevoked]: 410,
  [TeamErrorCode.InviteUsedUp]: 410,
});

export const inviteNotFound = () => new TeamException(TeamErrorCode.InviteNotFound, 'Invite link not found');

export const teamNotFound = () => new TeamException(TeamErrorCode.NotFound, 'Team not found');
