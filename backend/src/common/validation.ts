import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';

export interface FieldError { field: string; errors: string[] }

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Whitelisting validation: unknown fields are rejected, types are checked, every failure listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details.map((d) => `${d.field}: ${d.errors[0]}`).slice(0, 3).join('; ');
      return new BadRequestException({ message: `Validation failed: ${summary}`, details });
    },
  });
}

/**
 * Optional in the sense "may be absent": an absent field skips validation, but `null` is validated
 * like any other value (so `@IsString()` refuses it). class-validator's `@IsOptional()` also lets
 * null through, which a non-nullable column then refuses with a 500; use this one there.
 */
export const IsOptionalNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
