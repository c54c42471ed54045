import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponse } from './error.response';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (validation details listed), including unknown fields and malformed JSON',
  401: 'Missing, invalid or expired credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found, or not yours',
  409: 'Conflict with existing data',
  413: 'Request body too large',
  429: 'Rate limited',
  502: 'The agent failed handling the request, or answered something the backend cannot use (e.g. an agent too old for the operation)',
  503: 'The server\'s agent is not connected, or the database is unavailable (then with Retry-After, code database.unavailable)',
  504: 'The agent did not answer in time',
};

/** Documents the listed error statuses with the shared error body. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ErrorResponse),
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', schema: { $ref: getSchemaPath(ErrorResponse) } }),
    ),
  );
}
