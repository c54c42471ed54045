import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { findTextIssue } from './json-input';

const MAX_FIELD_NAME = 120;

/**
 * The one rule for text a client sends, on every route, before the validation pipe: strings in
 * JSON bodies (keys included), query strings and route params may not carry U+0000 (PostgreSQL
 * cannot store it in text or jsonb) or lone UTF-16 surrogates (not valid Unicode; they break
 * validators and encoders). A 400 names the field, in the same shape as a validation failure.
 */
@Injectable()
export class TextInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const issue = findTextIssue(value, metadata.type === 'body' ? '' : metadata.data ?? '');
    if (!issue) return value;
    const where = metadata.type === 'body' ? '' : metadata.type === 'query' ? 'query ' : 'path ';
    const field = `${where}${issue.field}`.slice(0, MAX_FIELD_NAME);
    throw new BadRequestException({
      message: `Validation failed: ${field}: ${issue.problem}`,
      details: [{ field, errors: [issue.problem] }],
    });
  }
}
