import { domainException } from '../../common/domain-exception';

export enum NotificationErrorCode {
  ChannelNotFound = 'notification.channel_not_found',
  /** A URL that is not http(s), or a field the channel type needs is missing. */
  InvalidChannel = 'notification.invalid_channel',
}

export const NotificationException = domainException<NotificationErrorCode>('NotificationException', {
  [NotificationErrorCode.ChannelNotFound]: 404,
  [NotificationErrorCode.InvalidChannel]: 400,
});
