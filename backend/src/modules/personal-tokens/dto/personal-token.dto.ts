import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { normalizeTokenScope, TOKEN_SCOPES, type CreatePersonalTokenRequest, type TokenScope } from '@chatops/protocol';

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
}
