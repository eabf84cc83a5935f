import { Injectable } from '@nestjs/common';
import { Page, decodeCursor, toPage } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, hasRole, tenantOf } from '@bo/access';
import { ACTION_COLUMNS, ActionView, toActionView } from './actions.service';

export interface FunderBreakdown {
  organisationId: string;
  organisationCode: string;
  organisationName: string;
  actions: number;
  amountFunded: number;
}

export type UncertifiedView =
  | ({ scope: 'OWN_ACTIONS' } & Page<ActionView>)
  | { scope: 'PER_FUNDER'; funders: FunderBreakdown[]; totals: { actions: number; amountFunded: number } };

/**
 * Certification coverage reads. A full re-evaluation (`registry.coverage-recompute`) is asked for
 * through the job outbox in the transaction of each registry change (observations, exemptions,
 * public-list imports).
 */
@Injectable()
export class CoverageService {
  constructor(private readonly db: Db) {}

  /**
   * A funder's officer or manager: its own NOT_CERTIFIED actions, paged. Platform admins and
   * control services: counts and amounts per funder, through a SECURITY DEFINER function that
   * answers aggregates only.
   */
  async uncertified(actor: Actor, page: { limit: number; cursor?: string }): Promise<UncertifiedView> {
    const ctx = tenantOf(actor);
    if (hasRole(actor, 'platform_admin', 'ministry')) {
      const rows = await this.db.tx(ctx, (tx) =>
        tx.query<{ organisation_id: string; organisation_code: string; organisation_name: string; actions: string; amount_funded: string }>(
          `SELECT * FROM coverage_uncertified_breakdown()`,
        ),
      );
      const funders = rows.map((r) => ({
        organisationId: r.organisation_id,
        organisationCode: r.organisation_code,
        organisationName: r.organisation_name,
        actions: Number(r.actions),
        amountFunded: Number(r.amount_funded),
      }));
      return {
        scope: 'PER_FUNDER',
        funders,
        totals: {
          actions: funders.reduce((s, f) => s + f.actions, 0),
          amountFunded: Math.round(funders.reduce((s, f) => s + f.amountFunded, 0) * 100) / 100,
        },
      };
    }
    const after = decodeCursor(page.cursor, ['string']);
    const rows = await this.db.tx(ctx, (tx) =>
      tx.query<Parameters<typeof toActionView>[0]>(
        `SELECT ${ACTION_COLUMNS} FROM funded_actions WHERE coverage = 'NOT_CERTIFIED' AND ($1::text IS NULL OR external_ref > $1)
          ORDER BY external_ref LIMIT $2`,
        [after?.[0] ?? null, page.limit + 1],
      ),
    );
    return { scope: 'OWN_ACTIONS', ...toPage(rows, page.limit, (r) => [r.external_ref], toActionView) };
  }
}
