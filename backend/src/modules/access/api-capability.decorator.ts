import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Capability } from '@chatops/protocol';
import { ApiErrors } from '../../common/api-errors';

/**
 * Documents, in the OpenAPI document, the capability a route needs on its server
 * (`x-capability`, docs/access.md) and its 403 `access.forbidden`. The check itself is
 * `AccessService.require` in the route's service, which names the same capability.
 */
export const ApiCapability = (capability: Capability) =>
  applyDecorators(ApiExtension('x-capability', capability), ApiErrors(403));
