import { domainException } from '../../common/domain-exception';

/**
 * ChatOps errors. Only a malformed request is an HTTP error (400): what a command cannot do is a
 * 200 reply carrying `error` (a chat transcript, and a Slack answer, must show it), see
 * docs/chatops.md. The codes below that never reach HTTP are the reply's `error.code`.
 */
export enum ChatErrorCode {
  BadCursor = 'chat.bad_cursor',
  /** A command needs a server and the message named none (and the conversation has no server). */
  ServerRequired = 'chat.server_required',
  /** A name matches several servers (names are not unique): the id is needed. */
  AmbiguousServer = 'chat.ambiguous_server',
  AmbiguousAlert = 'chat.ambiguous_alert',
  NoMetrics = 'chat.no_metrics',
  ConfirmUnknown = 'chat.confirm_unknown',
  ConfirmExpired = 'chat.confirm_expired',
  ConfirmUsed = 'chat.confirm_used',
  ConfirmCancelled = 'chat.confirm_cancelled',
  /** Too many chat messages from one account or one chat integration (429 over REST; a "slow down" reply in Slack/Mattermost). */
  RateLimited = 'chat.rate_limited',
  /** Chat doors: the request is not from the configured Slack app / Mattermost command. */
  SignatureInvalid = 'chat.signature_invalid',
  RequestStale = 'chat.request_stale',
  RequestReplayed = 'chat.request_replayed',
  TokenInvalid = 'chat.token_invalid',
  /** A Mattermost button press whose token this server did not make, or made for another user. */
  ActionInvalid = 'chat.action_invalid',
  NotConfigured = 'chat.integration_not_configured',
  BadPayload = 'chat.bad_payload',
  LinkUnknown = 'chat.link_unknown',
  LinkExpired = 'chat.link_expired',
  LinkUsed = 'chat.link_used',
  LinkNotFound = 'chat.link_not_found',
  AdminRequired = 'chat.admin_required',
  /** A chat door's message is longer than the language accepts (a reply error only). */
  TextTooLong = 'chat.text_too_long',
  /** A streamed `run` whose backend instance stopped before the command's answer came (a final card's error only). */
  StreamInterrupted = 'chat.stream_interrupted',
}

export const ChatException = domainException<ChatErrorCode>('ChatException', {
  [ChatErrorCode.BadCursor]: 400,
  [ChatErrorCode.ServerRequired]: 400,
  [ChatErrorCode.AmbiguousServer]: 409,
  [ChatErrorCode.AmbiguousAlert]: 409,
  [ChatErrorCode.NoMetrics]: 404,
  [ChatErrorCode.ConfirmUnknown]: 404,
  [ChatErrorCode.ConfirmExpired]: 410,
  [ChatErrorCode.ConfirmUsed]: 409,
  [ChatErrorCode.ConfirmCancelled]: 409,
  [ChatErrorCode.RateLimited]: 429,
  [ChatErrorCode.SignatureInvalid]: 401,
  [ChatErrorCode.RequestStale]: 401,
  [ChatErrorCode.RequestReplayed]: 401,
  [ChatErrorCode.TokenInvalid]: 401,
  [ChatErrorCode.ActionInvalid]: 401,
  [ChatErrorCode.NotConfigured]: 503,
  [ChatErrorCode.BadPayload]: 400,
  [ChatErrorCode.LinkUnknown]: 404,
  [ChatErrorCode.LinkExpired]: 410,
  [ChatErrorCode.LinkUsed]: 409,
  [ChatErrorCode.LinkNotFound]: 404,
  [ChatErrorCode.AdminRequired]: 403,
  [ChatErrorCode.TextTooLong]: 400,
  [ChatErrorCode.StreamInterrupted]: 503,
});
