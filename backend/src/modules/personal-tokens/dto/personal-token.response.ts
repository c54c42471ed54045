import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_SCOPES, type CreatedPersonalToken, type PersonalToken, type PersonalTokenTeamScope, type TokenScope } from '@chatops/protocol';

class TokenTeamRef { id: string; name: string }

export class PersonalTokenTeamScopeResponse implements PersonalTokenTeamScope {
  /** Whether the token reaches your personal servers. */
  personal: boolean;
  @ApiProperty({ type: [TokenTeamRef] }) teams: TokenTeamRef[];
}

export class PersonalTokenResponse implements PersonalToken {
  id: string;
  name: string;
  /** The first characters of the secret (`cop_` + 8 characters). */
  prefix: string;
  @ApiProperty({ enum: TOKEN_SCOPES, isArray: true }) scopes: TokenScope[];
  /** The teams (and/or your personal servers) the token is limited to; null: every server you may reach. */
  @ApiProperty({ type: PersonalTokenTeamScopeResponse, nullable: true }) teamScope: PersonalTokenTeamScopeResponse | null;
  expiresAt: string;
  /** Updated at most once a minute. */
  lastUsedAt: string | null;
  createdAt: string;
}

export class CreatedPersonalTokenResponse extends PersonalTokenResponse implements CreatedPersonalToken {
  /** The secret (`cop_…`), sent as `Authorization: Bearer cop_…`. Shown in this response only: store it now. */
  token: string;
}
