import type { ApiKey, ApiKeyIdentity, CreatedApiKey } from '@chatops/protocol';

export class ApiKeyResponse implements ApiKey {
  id: string;
  serverId: string;
  name: string | null;
  /** The key's first 12 characters (`cok_` + 8 more), shown so a user can tell keys apart; not enough to authenticate. */
  keyPrefix: string;
  isActive: boolean;
  expiresAt: string | null;
  /** Updated at most once a minute. */
  lastUsedAt: string | null;
  createdAt: string;
}

export class CreatedApiKeyResponse extends ApiKeyResponse implements CreatedApiKey {
  /** The key itself (`cok_…`). Shown in this response only: store it now. */
  key: string;
}

export class ApiKeyIdentityResponse implements ApiKeyIdentity {
  serverId: string;
  keyId: string;
  name: string | null;
  isActive: boolean;
}
