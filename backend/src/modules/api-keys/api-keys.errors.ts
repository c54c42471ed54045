import { domainException } from '../../common/domain-exception';

export enum ApiKeyErrorCode {
  NotFound = 'api_key.not_found',
  /** Missing, invalid, inactive or expired key (`GET /api-keys/me`). */
  Invalid = 'api_key.invalid',
  ExpiryInPast = 'api_key.expiry_in_past',
}

export const ApiKeyException = domainException<ApiKeyErrorCode>('ApiKeyException', {
  [ApiKeyErrorCode.NotFound]: 404,
  [ApiKeyErrorCode.Invalid]: 401,
  [ApiKeyErrorCode.ExpiryInPast]: 400,
});
