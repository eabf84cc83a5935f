import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from './actor';
import { handlesReportCases, readsOrganisationRecords, writesReports } from './visibility';

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

  async assertVisible(actor: Actor, entity: AccessEntity, id: string): Promise<void> {
    if (!(await this.visible(actor, entity, [id])).has(id)) {
      throw new AppError(ENTITIES[entity].notFound, `No ${entity.replace('_', ' ')} ${id}.`);
    }
  }
}
