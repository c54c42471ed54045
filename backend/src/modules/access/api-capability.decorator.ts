import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Capability, TokenScope } from '@chatops/protocol';
import { ApiErrors } from '../../common/api-errors';

/**
 * Documents, in the OpenAPI document, the capability a route needs on its server
 * (`x-capability`, docs/access.md) and its 403 `access.forbidden`. The check itself is
 * `AccessService.require` in the route's service, which names the same capability. A personal API
 * token needs the capability as a scope too (403 `token.scope_denied`).
 */
export const ApiCapability = (capability: Capability) =>
  applyDecorators(ApiExtension('x-capability', capability), ApiErrors(403));

/**
 * Documents the personal API token scope a route that is not about one server needs
 * (`x-token-scope`: `members.manage` for team changes, `admin` for the admin's routes;
 * docs/access.md "Personal API tokens"). The check is `requireTokenScope` in the service or guard.
 */
export const ApiTokenScope = (scope: TokenScope) => ApiExtension('x-token-scope', scope);
