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
