import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { MAX_TAGS, MAX_TAG_LENGTH, TAG_PATTERN, normalizeTag } from '@chatops/protocol';
import { IsOptionalNotNull } from '../../../common/validation';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Tags are trimmed and lower-cased, duplicates dropped (first kept); anything else is left for the validators to refuse. */
const normalizeTags = ({ value }: { value: unknown }) =>
  Array.isArray(value) && value.every((t) => typeof t === 'string') ? [...new Set(value.map(normalizeTag))] : value;
const TAG_MESSAGE = 'each tag: lower-case letters, digits and . _ : - (starting with a letter or digit), at most 32 characters';

/** The `tags` field of create and update: at most 20 tags. */
const TagsField = (): PropertyDecorator => (target, key) => {
  for (const d of [
    IsOptionalNotNull(), Transform(normalizeTags), IsArray(), ArrayMaxSize(MAX_TAGS), IsString({ each: true }),
    MaxLength(MAX_TAG_LENGTH, { each: true }), Matches(TAG_PATTERN, { each: true, message: TAG_MESSAGE }),
  ]) d(target, key);
};

export class CreateServerDto {
  /** Display name, 1–100 characters. */
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name: string;
  /** Hostname or address, informational. */
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(255) host?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(65535) port?: number | null;
  /** Free-form labels (at most 16 KiB as JSON). */
  @IsOptionalNotNull() @IsObject() metadata?: Record<string, unknown>;
  /** Labels to filter and group by: lower-case letters, digits and `.` `_` `:` `-`, 1–32 characters each, at most 20 (trimmed, lower-cased, duplicates dropped). */
  @TagsField() tags?: string[];
}

export class UpdateServerDto {
  @IsOptionalNotNull() @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @IsOptional() @ValidateIf((_, v) => v !== null) @Transform(trim) @IsString() @MaxLength(255) host?: string | null;
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(65535) port?: number | null;
  @IsOptionalNotNull() @IsObject() metadata?: Record<string, unknown>;
  /** Replaces the server's tags (send `[]` to remove them all). */
  @TagsField() tags?: string[];
}

export class ListServersQueryDto {
  /** Only the servers that carry this tag (lower-cased before matching). */
  @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeTag(value) : value))
  @IsString() @MaxLength(MAX_TAG_LENGTH) @Matches(TAG_PATTERN, { message: TAG_MESSAGE }) tag?: string;
}
