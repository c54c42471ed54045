import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';

/**
 * A route or query parameter that must be a UUID. A bad one answers 400 in the same shape as any
 * validation failure (`details` names the parameter), not Nest's bare "uuid is expected".
 */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, { type, data }: ArgumentMetadata): string {
    if (typeof value === 'string' && isUUID(value)) return value;
    const field = `${type === 'query' ? 'query' : 'path'} ${data ?? 'id'}`;
    throw new BadRequestException({
      message: `Validation failed: ${field}: must be a UUID`,
      details: [{ field, errors: ['must be a UUID'] }],
    });
  }
}
