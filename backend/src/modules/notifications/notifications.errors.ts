import { domainException } from '../../common/domain-exception';

export enum NotificationErrorCode {
  ChannelNotFound = 'notification.channel_not_found',
  /** A URL that is not http(s), or a field the channel type needs is missing. */
  InvalidChannel = 'notification.invalid_channel',
  /** The URL's host is a loopback/private/link-local address and NOTIFY_ALLOW_PRIVATE is off. */
  PrivateAddress = 'notification.private_address',
}

export const NotificationException = domainException<NotificationErrorCode>('NotificationException', {
  [NotificationErrorCode.ChannelNotFound]: 404,
  [NotificationErrorCode.InvalidChannel]: 400,
  [NotificationErrorCode.PrivateAddress]: 400,
});
