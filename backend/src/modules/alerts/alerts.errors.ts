import { domainException } from '../../common/domain-exception';

export enum AlertErrorCode {
  NotFound = 'alert.not_found',
  ThresholdNotFound = 'alert.threshold_not_found',
  SilenceNotFound = 'alert.silence_not_found',
  /** A rule that makes no sense (a target on a host-wide metric, a clearValue on the wrong side, ...). */
  InvalidRule = 'alert.invalid_rule',
  /** channelIds names a channel that is not the user's. */
  UnknownChannel = 'alert.unknown_channel',
  InvalidSilence = 'alert.invalid_silence',
  AlreadyResolved = 'alert.already_resolved',
  AlreadyAcknowledged = 'alert.already_acknowledged',
  BadCursor = 'alert.bad_cursor',
}

export const AlertException = domainException<AlertErrorCode>('AlertException', {
  [AlertErrorCode.NotFound]: 404,
  [AlertErrorCode.ThresholdNotFound]: 404,
  [AlertErrorCode.SilenceNotFound]: 404,
  [AlertErrorCode.InvalidRule]: 400,
  [AlertErrorCode.UnknownChannel]: 400,
  [AlertErrorCode.InvalidSilence]: 400,
  [AlertErrorCode.AlreadyResolved]: 409,
  [AlertErrorCode.AlreadyAcknowledged]: 409,
  [AlertErrorCode.BadCursor]: 400,
});
