import { Actor, hasRole } from './actor';
import { API_KEY_SCOPES_BY_ORGANISATION_KIND, ApiKeyScope, ROLES_FOR_API_KEY_SCOPE, effectiveRoles } from './roles';

/**
 * Who sees which of its organisation's records, decided here and nowhere else (row-level security
 * already keeps every query inside the caller's organisation). Services that list or read ask
 * these functions (or `AccessService`, which applies them in SQL).
 *
 * An external auditor (the `auditor` role without officer or manager rights) sees only the checks
 * assigned to it, and what hangs on them: not the other checks, their ids or comments (in lists,
 * the funding check, anywhere), not the organisation's imports, jobs, funded actions or payment
 * blocks.
 */
export function seesAssignedChecksOnly(actor: Actor): boolean {
  return actor.kind === 'user' && hasRole(actor, 'auditor') && !hasRole(actor, 'officer', 'manager');
}

/** Imports, jobs, funded actions and payment blocks of the actor's organisation. */
export function readsOrganisationRecords(actor: Actor): boolean {
  return !seesAssignedChecksOnly(actor);
}

/**
 * A SQL condition on a `checks` row (alias `alias`) that keeps the checks the actor may see;
 * `param` is the placeholder the caller binds to `checkFilterParam(actor)`.
 */
export function visibleChecksSql(alias: string, param: string): string {
  return `(${param}::uuid IS NULL OR ${alias}.assignee_id = ${param}::uuid)`;
}

/** The value to bind to `visibleChecksSql`'s parameter: the auditor's id, or null (every check). */
export function checkFilterParam(actor: Actor): string | null {
  return seesAssignedChecksOnly(actor) ? actor.id : null;
}

/** A background job (its organisation, or null for a platform job). */
export function jobVisible(actor: Actor, jobOrganisationId: string | null): boolean {
  if (jobOrganisationId === null) return actor.kind === 'user' && hasRole(actor, 'platform_admin');
  return jobOrganisationId === actor.organisationId && readsOrganisationRecords(actor);
}

/**
 * Scopes a key created by `actor` may carry: those its organisation kind allows (only funders'
 * systems handle funded actions and checks) that the creator's own roles could use by hand (a key
 * never exceeds its creator). A creator who sees only assigned checks creates no key: a key cannot
 * be narrowed to assignments.
 */
export function grantableApiKeyScopes(actor: Actor): ApiKeyScope[] {
  if (actor.kind !== 'user' || seesAssignedChecksOnly(actor)) return [];
  const roles = effectiveRoles(actor.roles);
  return API_KEY_SCOPES_BY_ORGANISATION_KIND[actor.organisationKind].filter((scope) => ROLES_FOR_API_KEY_SCOPE[scope].some((r) => roles.includes(r)));
}

/**
 * Reports: a funder's (or mandated body's) officers and managers draft, co-sign and follow them;
 * an auditor who sees only assigned checks does not. Which report a caller sees is its
 * organisation's party to it (owner, co-signer, addressee), decided by the database's
 * `report_party` under row-level security.
 */
export function writesReports(actor: Actor): boolean {
  return actor.kind === 'user' && (actor.organisationKind === 'FUNDER' || actor.organisationKind === 'MANDATED_BODY') && hasRole(actor, 'officer', 'manager');
}

/** Report cases addressed to the caller's organisation: its control-service agents or certifier users. */
export function handlesReportCases(actor: Actor): boolean {
  if (actor.kind !== 'user') return false;
  return (actor.organisationKind === 'CONTROL_SERVICE' && hasRole(actor, 'ministry')) || (actor.organisationKind === 'CERTIFIER' && hasRole(actor, 'certifier'));
}
