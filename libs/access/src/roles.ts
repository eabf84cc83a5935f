/** Roles of the design. A user holds a set of them; an API key holds scopes instead. */
export const ROLES = ['officer', 'manager', 'admin', 'auditor', 'ministry', 'certifier', 'platform_admin'] as const;
export type Role = (typeof ROLES)[number];

export type OrganisationKind = 'FUNDER' | 'MANDATED_BODY' | 'CONTROL_SERVICE' | 'CERTIFIER' | 'PLATFORM';

/** Which roles an organisation of each kind may grant its users. */
export const ROLES_BY_ORGANISATION_KIND: Record<OrganisationKind, readonly Role[]> = {
  FUNDER: ['officer', 'manager', 'admin', 'auditor'],
  MANDATED_BODY: ['officer', 'manager', 'admin', 'auditor'],
  CONTROL_SERVICE: ['ministry', 'admin'],
  CERTIFIER: ['certifier', 'admin'],
  PLATFORM: ['platform_admin', 'admin'],
};

/** Scopes an API key may carry (published in docs/security.md). */
export const API_KEY_SCOPES = ['actions:read', 'actions:write', 'providers:read', 'checks:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A manager does all an officer does (design §2). */
export function effectiveRoles(roles: readonly Role[]): Role[] {
  const set = new Set<Role>(roles);
  if (set.has('manager')) set.add('officer');
  return [...set];
}

/** Scopes an organisation of each kind may give its keys: only funders' systems handle funded actions and checks. */
export const API_KEY_SCOPES_BY_ORGANISATION_KIND: Record<OrganisationKind, readonly ApiKeyScope[]> = {
  FUNDER: API_KEY_SCOPES,
  MANDATED_BODY: API_KEY_SCOPES,
  CONTROL_SERVICE: ['providers:read'],
  CERTIFIER: ['providers:read'],
  PLATFORM: ['providers:read'],
};

/** The roles whose holder could do by hand what a scope lets a key do: a key never exceeds its creator. */
export const ROLES_FOR_API_KEY_SCOPE: Record<ApiKeyScope, readonly Role[]> = {
  'actions:read': ['officer', 'manager'],
  'actions:write': ['officer', 'manager'],
  'providers:read': ROLES,
  'checks:read': ['officer', 'manager'],
};

