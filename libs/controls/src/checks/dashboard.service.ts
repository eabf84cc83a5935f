import { Injectable } from '@nestjs/common';
import { Db } from '@bo/database';
import { Actor, ownChecksSql, tenantOf } from '@bo/access';

export interface DashboardView {
  /** Funded actions and amounts per certification coverage (CERTIFIED, NOT_CERTIFIED, UNKNOWN, EXEMPT). */
  fundedByCoverage: { coverage: string; actions: number; amount: number }[];
  checksByState: { state: string; checks: number }[];
  responsesOverdue: number;
  correctiveActionsOverdue: number;
  myDrafts: number;
  /** Checks a manager may decide on: answered or past the response window, none of whose findings the caller recorded. */
  awaitingMyDecision: number;
  /** The latest checks, with the provider's name. */
  recentChecks: { id: string; providerSiret: string; providerName: string | null; state: string; createdAt: string; responseDueAt: string | null }[];
}

/** The figures of the web UI's dashboard: set-based SQL under the caller's tenant (row-level security). */
@Injectable()
export class DashboardService {
  constructor(private readonly db: Db) {}

  async view(actor: Actor): Promise<DashboardView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const funded = await tx.query<{ coverage: string; actions: string; amount: string }>(
        `SELECT coverage, count(*)::text AS actions, coalesce(sum(amount_funded), 0)::text AS amount FROM funded_actions GROUP BY coverage ORDER BY coverage`,
      );
      const states = await tx.query<{ state: string; checks: string }>(`SELECT state, count(*)::text AS checks FROM checks WHERE ${ownChecksSql('checks')} GROUP BY state ORDER BY state`);
      const [figures] = await tx.query<{ overdue_ca: string; drafts: string; awaiting: string }>(
        `SELECT (SELECT count(*) FROM corrective_actions WHERE ${ownChecksSql('corrective_actions')} AND status = 'OPEN' AND due_at < now())::text AS overdue_ca,
                (SELECT count(*) FROM checks WHERE ${ownChecksSql('checks')} AND state = 'DRAFT' AND created_by = $1)::text AS drafts,
                (SELECT count(*) FROM checks c WHERE ${ownChecksSql('c')} AND c.state IN ('RESPONDED', 'RESPONSE_OVERDUE')
                    AND NOT EXISTS (SELECT 1 FROM check_findings f WHERE f.check_id = c.id AND f.recorded_by = $1))::text AS awaiting`,
        [actor.id],
      );
      const recent = await tx.query<{ id: string; provider_siret: string; name: string | null; state: string; created_at: Date; response_due_at: Date | null }>(
        `SELECT c.id, c.provider_siret, p.name, c.state, c.created_at, c.response_due_at
           FROM checks c
           LEFT JOIN LATERAL (SELECT name FROM providers p WHERE p.siret = c.provider_siret ORDER BY (p.nda = c.provider_nda) DESC NULLS LAST LIMIT 1) p ON true
          WHERE ${ownChecksSql('c')}
          ORDER BY c.created_at DESC LIMIT 8`,
      );
      const byState = Object.fromEntries(states.map((s) => [s.state, Number(s.checks)]));
      return {
        fundedByCoverage: funded.map((r) => ({ coverage: r.coverage, actions: Number(r.actions), amount: Number(r.amount) })),
        checksByState: states.map((s) => ({ state: s.state, checks: Number(s.checks) })),
        responsesOverdue: byState.RESPONSE_OVERDUE ?? 0,
        correctiveActionsOverdue: Number(figures.overdue_ca),
        myDrafts: Number(figures.drafts),
        awaitingMyDecision: actor.roles.includes('manager') ? Number(figures.awaiting) : 0,
        recentChecks: recent.map((r) => ({
          id: r.id,
          providerSiret: r.provider_siret,
          providerName: r.name,
          state: r.state,
          createdAt: r.created_at.toISOString(),
          responseDueAt: r.response_due_at?.toISOString() ?? null,
        })),
      };
    });
  }
}
