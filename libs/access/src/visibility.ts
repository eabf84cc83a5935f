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

// --- Sharing across funders (issue 14, docs/sharing.md) ----------------------------------------

/** How a completed check is shared: with nobody, with the pool of funders, or with named funders. */
export const SHARE_MODES = ['PRIVATE', 'POOL', 'NAMED'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

/** The modes a funder may choose as the default share of its completed checks. */
export const DEFAULT_SHARE_MODES = ['PRIVATE', 'POOL'] as const satisfies readonly ShareMode[];

/**
 * The SQL rule: may organisation `orgExpr` read check `alias`? Its owner; a funder that mandated
 * the body owning it (checks created within the mandate's dates); for a completed check, funders
 * it is shared with (named, or the pool narrowed by the owner's need-to-know). The rule lives in
 * the database function `check_visible_to` (migration 0030) because the row-level security
 * policies of checks, findings, evidence, versions and corrective actions call it; this is the
 * one way code names it. Under the application role `orgExpr` defaults to the transaction's
 * organisation; a job under the system role binds the organisation it works for (e.g. `'$2'`).
 *
 * This is the predicate "checks visible to organisation X" other libs (reports, funding check)
 * use: `WHERE ${checksVisibleToOrganisationSql('c', '$1')}`.
 */
export function checksVisibleToOrganisationSql(alias: string, orgExpr = 'app_org_id()'): string {
  return `check_visible_to(${alias}.id, ${orgExpr === 'app_org_id()' ? orgExpr : `${orgExpr}::uuid`})`;
}

/** Only the organisation's own rows of a table carrying `organisation_id` (its workflows, not shared reads). */
export function ownChecksSql(alias: string): string {
  return `${alias}.organisation_id = app_org_id()`;
}

/**
 * The checks an actor sees across organisations, under its row-level security: everything the
 * rule grants its organisation, except for an external auditor, who sees only the checks assigned
 * to it (never another organisation's). `param` is bound to `checkFilterParam(actor)`.
 */
export function checksVisibleToActorSql(alias: string, param: string): string {
  return `(CASE WHEN ${param}::uuid IS NULL THEN ${checksVisibleToOrganisationSql(alias)} ELSE ${alias}.assignee_id = ${param}::uuid END)`;
}

/**
 * What a viewer learns of an evidence item. The owner sees it whole; an organisation it is
 * shared with sees non-personal evidence whole, and of evidence flagged `personalData` only that
 * it exists and its hash (design §2: personal data never leaves its funder).
 */
export function evidenceDisclosure(viewerOrganisationId: string, ownerOrganisationId: string, personalData: boolean): 'FULL' | 'EXISTENCE_AND_HASH' {
  return viewerOrganisationId === ownerOrganisationId || !personalData ? 'FULL' : 'EXISTENCE_AND_HASH';
}

/** Whether the viewer reads a check as its owner (every field) or as a shared reader (no contact, no assignee). */
export function readsCheckAsOwner(actor: Actor, ownerOrganisationId: string): boolean {
  return actor.organisationId === ownerOrganisationId;
}

/** Organisations that take part in sharing as funders: they may be named, join the pool, rely, claim a lead. */
export function isSharingFunder(actor: Actor): boolean {
  return actor.organisationKind === 'FUNDER';
}

/** Organisations whose checks may be shared: funders and mandated bodies (they own checks). */
export function ownsShareableChecks(actor: Actor): boolean {
  return actor.organisationKind === 'FUNDER' || actor.organisationKind === 'MANDATED_BODY';
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
