import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { normalizeTokenScope, PERSONAL_TOKEN_MAX_TEAMS, TOKEN_SCOPES, type CreatePersonalTokenRequest, type TokenScope } from '@chatops/protocol';

/** A team id (UUID) or `personal`. */
const TEAM_SCOPE_ENTRY = /^(personal|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export class CreatePersonalTokenDto implements CreatePersonalTokenRequest {
  /** What the token is for, 1–100 characters. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString() @MinLength(1) @MaxLength(100) name: string;
  /** When the token stops working (ISO-8601): required, in the future, at most 366 days away. */
  @IsDateString({ strict: true }) expiresAt: string;
  /**
   * Limit the token to these capabilities (`TOKEN_SCOPES`: the capability names, plus `admin`);
   * absent or empty: everything you may do. Legacy names (`servers.read`, `docker.act`, …) are
   * rewritten to their capability. A token with only read capabilities may only send GET requests.
   */
  @Transform(({ value }) => (Array.isArray(value) ? value.map(normalizeTokenScope) : value))
  @IsOptional() @IsArray() @ArrayMaxSize(TOKEN_SCOPES.length) @ArrayUnique() @IsIn(TOKEN_SCOPES, { each: true, message: `each scope must be one of: ${TOKEN_SCOPES.join(', ')}` })
  scopes?: TokenScope[];
  /**
   * Limit the token to servers held by these teams (ids of teams you are a member of) and, with
   * `personal`, your personal servers. Absent or null: not limited to teams.
   */
  @Transform(({ value }) => (Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)) : value))
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(PERSONAL_TOKEN_MAX_TEAMS) @ArrayUnique()
  @IsString({ each: true }) @Matches(TEAM_SCOPE_ENTRY, { each: true, message: 'each entry of teams must be a team id or personal' })
  teams?: string[] | null;
}
