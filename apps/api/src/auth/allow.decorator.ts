import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyScope, Role } from '@bo/access';

export const ALLOW_METADATA = 'bo:allow';

export interface AllowRule {
  roles: Role[];
  /** API keys carrying one of these scopes may call the route too. */
  scopes: ApiKeyScope[];
}

/**
 * Who may call the route: users holding one of `roles`, or API keys with one of `scopes`.
 * A route without `@Allow` or `@Public` is refused to everyone (the guard fails closed).
 */
export function Allow(roles: Role[], scopes: ApiKeyScope[] = []) {
  const decorators = [
    SetMetadata(ALLOW_METADATA, { roles, scopes } satisfies AllowRule),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid credentials (problem+json)' }),
    ApiForbiddenResponse({ description: `Allowed roles: ${roles.join(', ')}${scopes.length ? `; API key scopes: ${scopes.join(', ')}` : ''}` }),
  ];
  if (scopes.length) decorators.push(ApiSecurity('apiKey'));
  return applyDecorators(...decorators);
}

/** Every authenticated user, whatever the role (e.g. GET /me). */
export const ANY_ROLE: Role[] = ['officer', 'manager', 'admin', 'auditor', 'ministry', 'certifier', 'platform_admin'];
