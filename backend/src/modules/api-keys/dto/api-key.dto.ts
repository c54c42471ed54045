import { Transform } from 'class-transformer';
import { IsDateString, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';

export class CreateApiKeyDto {
  /** The server whose agent will use this key. */
  @IsUUID() serverId: string;
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString() @MaxLength(100) name?: string;
  /** When the key stops working (ISO-8601, in the future); null or absent: never. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsDateString({ strict: true }) expiresAt?: string | null;
}
