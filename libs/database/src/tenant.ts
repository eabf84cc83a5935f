/**
 * Who a transaction runs for. `organisationId` feeds `app.org_id`, which every row-level
 * security policy reads; `null` (anonymous, e.g. log-in) sees only what policies open to all.
 */
export interface TenantContext {
  organisationId: string | null;
  userId?: string | null;
}
