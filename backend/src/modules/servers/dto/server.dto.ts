import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { IsOptionalNotNull } from '../../../common/validation';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateServerDto {
  /** Display name, 1–100 characters. */
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name: string;
  /** Hostname or address, informational. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(255) host?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(65535) port?: number | null;
  /** Free-form labels (at most 16 KiB as JSON). */
  @IsOptionalNotNull() @IsObject() metadata?: Record<string, unknown>;
}

export class UpdateServerDto {
  @IsOptionalNotNull() @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(255) host?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(65535) port?: number | null;
  @IsOptionalNotNull() @IsObject() metadata?: Record<string, unknown>;
}
