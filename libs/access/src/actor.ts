import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AppError } from '@bo/core';
import type { TenantContext } from '@bo/database';
import { ApiKeyScope, OrganisationKind, Role } from './roles';

/**
 * Who is calling: a user or an API key, always within one organisation. Every service entry point
 * takes it; the access service decides from it.
 */
export interface Actor {
  kind: 'user' | 'api_key';
  /** User id or API key id. */
  id: string;
  organisationId: string;
  organisationKind: OrganisationKind;
  /** Effective roles (a manager is also an officer). Empty for API keys. */
  roles: Role[];
  /** API key scopes; empty for users (roles decide). */
  scopes: ApiKeyScope[];
  /** For audit: e-mail or key label. */
  label: string;
}

/** The row-level security context of the actor's transactions: its organisation, and who acts. */
export function tenantOf(actor: Pick<Actor, 'organisationId' | 'id'>): TenantContext {
  return { organisationId: actor.organisationId, userId: actor.id };
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

/** The authenticated actor of the request (set by the API's auth guard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<{ actor?: Actor }>();
  if (!request.actor) throw new AppError('AUTH.UNAUTHENTICATED', 'Authentication required.');
  return request.actor;
});
