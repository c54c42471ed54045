import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_SCOPES, type CreatedPersonalToken, type PersonalToken, type TokenScope } from '@chatops/protocol';

export class PersonalTokenResponse implements PersonalToken {
  id: string;
  name: string;
  /** The first characters of the secret (`cop_` + 8 characters). */
  prefix: string;
  @ApiProperty({ enum: TOKEN_SCOPES, isArray: true }) scopes: TokenScope[];
  expiresAt: string;
  /** Updated at most once a minute. */
  lastUsedAt: string | null;
  createdAt: string;
}

export class CreatedPersonalTokenResponse extends PersonalTokenResponse implements CreatedPersonalToken {
  /** The secret (`cop_…`), sent as `Authorization: Bearer cop_…`. Shown in this response only: store it now. */
  token: string;
}
