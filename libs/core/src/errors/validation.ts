import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from './error-codes';

/** Flattens class-validator errors into one entry per field path (`items[2].hours`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const isIndex = /^\d+$/.test(error.property);
    const path = parent === '' ? error.property : isIndex ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field: path, message, constraint });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/** Whitelists DTO fields, rejects unknown ones, converts query strings to declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) =>
      new AppError('REQUEST.VALIDATION', 'The request has invalid or unknown fields.', {
        errors: flattenValidationErrors(errors),
      }),
  });
}
