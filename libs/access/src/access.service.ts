import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from './actor';
import { checksVisibleToOrganisationSql, handlesReportCases, readsOrganisationRecords, seesAssignedChecksOnly, writesReports } from './visibility';

/** A completed check of another organisation that the caller's organisation may see. */
export interface RecentVisibleCheck {
  id: string;
  organisationId: string;
  organisationName: string;
  method: string;
  outcome: string;
  completedAt: string;
}

/**
 * What the access service can decide on, and how: the table, the not-found code, and an optional
 * narrowing for roles that see only part of their organisation's rows (an auditor sees only the
 * checks assigned to it). Row-level security already restricts every query to the actor's
 * organisation; sharing grants (a later issue) extend the visible set here and in the policies.
 */
interface EntityRule {
  table: string;
  notFound: ErrorCode;
  /** Extra SQL condition (parameters: $1 ids, $2 actor id) applied to some actors. */
  narrow?: (actor: Actor) => string | undefined;
}

const ENTITIES = {
  user: { table: 'users', notFound: 'USER.NOT_FOUND' },
  api_key: { table: 'api_keys', notFound: 'API_KEY.NOT_FOUND' },
  import: { table: 'imports', notFound: 'IMPORT.NOT_FOUND', narrow: (actor) => (readsOrganisationRecords(actor) ? undefined : 'false') },
  // Checks: the owner's, and those shared with the organisation (row-level security decides); an
  // auditor sees only those assigned to it.
  check: { table: 'checks', notFound: 'CHECK.NOT_FOUND', narrow: (actor) => (seesAssignedChecksOnly(actor) ? 'assignee_id = $2' : undefined) },
  funded_action: { table: 'funded_actions', notFound: 'ACTION.NOT_FOUND', narrow: (actor) => (readsOrganisationRecords(actor) ? undefined : 'false') },
  // Row-level security keeps the reports the organisation is a party to (owner, co-signer, addressee).
  report: { table: 'reports', notFound: 'REPORT.NOT_FOUND', narrow: (actor) => (writesReports(actor) || handlesReportCases(actor) ? undefined : 'false') },
  // A case in the inbox: only those addressed to the caller's organisation.
  report_case: { table: 'report_cases', notFound: 'CASE.NOT_FOUND', narrow: (actor) => (handlesReportCases(actor) ? 'recipient_organisation_id = app_org_id()' : 'false') },
} as const satisfies Record<string, EntityRule>;

export type AccessEntity = keyof typeof ENTITIES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one place visibility is decided. Answers for a set of ids at once with one SQL statement
 * under the actor's row-level security, and returns the allowed subset. Reads of what the caller
 * may not see answer 404 (`assertVisible`), never 403: existence does not leak.
 */
@Injectable()
export class AccessService {
  constructor(private readonly db: Db) {}

  async visible(actor: Actor, entity: AccessEntity, ids: readonly string[]): Promise<Set<string>> {
    const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
    if (wanted.length === 0) return new Set();
    const rule: EntityRule = ENTITIES[entity];
    const narrowing = rule.narrow?.(actor);
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<{ id: string }>(
        `SELECT id::text AS id FROM ${rule.table} WHERE id = ANY($1::uuid[])${narrowing ? ` AND (${narrowing})` : ''}`,
        narrowing?.includes('$2') ? [wanted, actor.id] : [wanted],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Completed checks of this establishment owned by other organisations and visible to the
   * transaction's organisation, completed within its duplicate window (a sharing setting,
   * default 36 months), newest first.
   */
  async recentVisibleChecksOfOthers(tx: Tx, siret: string): Promise<RecentVisibleCheck[]> {
    const rows = await tx.query<{ id: string; organisation_id: string; name: string; method: string; outcome: string; completed_at: Date }>(
      `SELECT c.id, c.organisation_id, o.name, c.method, c.outcome, c.completed_at
         FROM checks c JOIN organisations o ON o.id = c.organisation_id
        WHERE c.provider_siret = $1 AND c.state = 'COMPLETED' AND c.organisation_id <> app_org_id()
          AND ${checksVisibleToOrganisationSql('c')}
          AND c.completed_at >= app_now() - make_interval(months => coalesce((SELECT duplicate_window_months FROM sharing_settings WHERE organisation_id = app_org_id()), 36))
        ORDER BY c.completed_at DESC, c.id`,
      [siret],
    );
    return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, organisationName: r.name, method: r.method, outcome: r.outcome, completedAt: r.completed_at.toISOString() }));
  }

  async assertVisible(actor: Actor, entity: AccessEntity, id: string): Promise<void> {
    if (!(await this.visible(actor, entity, [id])).has(id)) {
      throw new AppError(ENTITIES[entity].notFound, `No ${entity.replace('_', ' ')} ${id}.`);
    }
  }
}
