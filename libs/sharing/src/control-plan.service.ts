import { Injectable } from '@nestjs/common';
import { Db } from '@bo/database';
import { Actor, checksVisibleToOrganisationSql, tenantOf } from '@bo/access';
import { ProfileView, profilesFor } from './profiles.reader';
import { EXPOSURE_FUNDER_CAP, FUNDING_WINDOW_MONTHS, RISK_WEIGHTS } from './risk-score';

/** Why a provider ranks where it does: the parts of its score that weigh, as codes (the web UI words them). */
export type PlanReason = 'NO_RECENT_VISIBLE_CHECK' | 'UNCERTIFIED_FUNDING' | 'MANY_FUNDERS' | 'LAST_OUTCOME_NON_COMPLIANT' | 'LAST_OUTCOME_RESERVATIONS' | 'LARGE_AMOUNT' | 'PROFILE_PENDING';

export interface ControlPlanRow {
  rank: number;
  providerSiret: string;
  providerName: string | null;
  /** The caller's funded amount (decision, else start, in the last 12 months) and its actions. */
  amountFunded: number;
  actions: number;
  riskScore: number | null;
  /** riskScore x amountFunded: the order of the plan. */
  priority: number | null;
  profile: ProfileView | null;
  /** The last completed check the caller may see or relies on, older than the window (else the provider is not in the plan). */
  lastVisibleCheckAt: string | null;
  reasons: PlanReason[];
}

export interface ControlPlanView {
  windowMonths: number;
  fundingWindowMonths: number;
  /** Providers the caller funds that a visible or relied-on check from the window already covers (left out). */
  coveredProviders: number;
  rows: ControlPlanRow[];
}

export interface ControlCoverageView {
  windowMonths: number;
  /** Actions of the caller starting in the last 12 months. */
  actions: number;
  amount: number;
  coveredActions: number;
  coveredAmount: number;
  /** coveredAmount / amount (null without any amount). */
  share: number | null;
  /** The covered amount by what covered it first: the caller's own checks, others' checks it sees (shared or mandated), reliance. */
  byProvenance: { own: number; visible: number; reliance: number };
}

/** A completed check covering `fa` (an action row): completed in the window before its start. */
const coveringCheck = (extra: string) => `
  SELECT 1 FROM checks c
   WHERE c.provider_siret = fa.provider_siret AND c.state = 'COMPLETED'
     AND c.completed_at <= (fa.start_date + 1)::timestamptz AND c.completed_at >= (fa.start_date - make_interval(months => s.months))::timestamptz
     AND ${extra}`;

const SETTINGS_CTE = `s AS (SELECT coalesce((SELECT plan_window_months FROM sharing_settings WHERE organisation_id = app_org_id()), 36) AS months)`;

/**
 * The control plan and control coverage of the caller's funder, read live under its row-level
 * security: only checks it may see today (libs/access) or relies on count.
 */
@Injectable()
export class ControlPlanService {
  constructor(private readonly db: Db) {}

  async plan(actor: Actor, limit = 50): Promise<ControlPlanView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<{ provider_siret: string; name: string | null; amount: string; actions: number; last_at: Date | null; covered: boolean; months: number }>(
        `WITH ${SETTINGS_CTE},
         mine AS (
           SELECT provider_siret, sum(amount_funded) AS amount, count(*)::int AS actions
             FROM funded_actions
            WHERE organisation_id = app_org_id()
              AND coalesce(funding_decision_date, start_date) > (app_now() - interval '${FUNDING_WINDOW_MONTHS} months')::date
              AND coalesce(funding_decision_date, start_date) <= app_now()::date
            GROUP BY provider_siret
         ),
         seen AS (
           SELECT m.provider_siret, max(c.completed_at) AS last_at
             FROM mine m JOIN checks c ON c.provider_siret = m.provider_siret AND c.state = 'COMPLETED'
            WHERE ${checksVisibleToOrganisationSql('c')}
               OR EXISTS (SELECT 1 FROM reliances r WHERE r.check_id = c.id AND r.organisation_id = app_org_id() AND r.withdrawn_at IS NULL AND r.stale_at IS NULL)
            GROUP BY m.provider_siret
         )
         SELECT m.provider_siret, p.name, m.amount::text, m.actions, seen.last_at, s.months,
                coalesce(seen.last_at >= app_now() - make_interval(months => s.months), false) AS covered
           FROM mine m CROSS JOIN s
           LEFT JOIN seen ON seen.provider_siret = m.provider_siret
           -- the establishment's name, else (another site) its organisation's
           LEFT JOIN LATERAL (SELECT name FROM providers WHERE siret = m.provider_siret OR siren = left(m.provider_siret, 9)
                               ORDER BY (siret = m.provider_siret) DESC, nda LIMIT 1) p ON true`,
      );
      const months = rows[0]?.months ?? (await tx.one<{ months: number }>(`WITH ${SETTINGS_CTE} SELECT months FROM s`))!.months;
      const open = rows.filter((r) => !r.covered);
      const profiles = await profilesFor(tx, open.map((r) => r.provider_siret));
      const ranked = open
        .map((r) => {
          const profile = profiles.get(r.provider_siret) ?? null;
          const amount = Number(r.amount);
          return {
            providerSiret: r.provider_siret,
            providerName: r.name,
            amountFunded: amount,
            actions: r.actions,
            riskScore: profile?.riskScore ?? null,
            priority: profile ? Math.round(profile.riskScore * amount * 100) / 100 : null,
            profile,
            lastVisibleCheckAt: r.last_at?.toISOString() ?? null,
            reasons: reasonsOf(profile, amount, open),
          };
        })
        .sort((a, b) => (b.priority ?? -1) - (a.priority ?? -1) || b.amountFunded - a.amountFunded || a.providerSiret.localeCompare(b.providerSiret));
      return {
        windowMonths: months,
        fundingWindowMonths: FUNDING_WINDOW_MONTHS,
        coveredProviders: rows.length - open.length,
        rows: ranked.slice(0, limit).map((r, i) => ({ rank: i + 1, ...r })),
      };
    });
  }

  async coverage(actor: Actor): Promise<ControlCoverageView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const [r] = await tx.query<{ months: number; actions: number; amount: string; covered_actions: number; covered: string; own: string; visible: string; reliance: string }>(
        `WITH ${SETTINGS_CTE},
         acts AS (
           SELECT fa.amount_funded,
                  EXISTS (${coveringCheck('c.organisation_id = app_org_id()')}) AS by_own,
                  EXISTS (${coveringCheck(checksVisibleToOrganisationSql('c'))}) AS by_visible,
                  EXISTS (${coveringCheck(`EXISTS (SELECT 1 FROM reliances r WHERE r.check_id = c.id AND r.organisation_id = app_org_id() AND r.withdrawn_at IS NULL AND r.stale_at IS NULL)`)}) AS by_reliance
             FROM funded_actions fa CROSS JOIN s
            WHERE fa.organisation_id = app_org_id()
              AND fa.start_date > (app_now() - interval '${FUNDING_WINDOW_MONTHS} months')::date AND fa.start_date <= app_now()::date
         )
         SELECT (SELECT months FROM s) AS months, count(*)::int AS actions, coalesce(sum(amount_funded), 0)::text AS amount,
                count(*) FILTER (WHERE by_visible OR by_reliance)::int AS covered_actions,
                coalesce(sum(amount_funded) FILTER (WHERE by_visible OR by_reliance), 0)::text AS covered,
                coalesce(sum(amount_funded) FILTER (WHERE by_own), 0)::text AS own,
                coalesce(sum(amount_funded) FILTER (WHERE by_visible AND NOT by_own), 0)::text AS visible,
                coalesce(sum(amount_funded) FILTER (WHERE by_reliance AND NOT by_visible), 0)::text AS reliance
           FROM acts`,
      );
      const amount = Number(r.amount);
      const covered = Number(r.covered);
      return {
        windowMonths: r.months,
        actions: r.actions,
        amount,
        coveredActions: r.covered_actions,
        coveredAmount: covered,
        share: amount > 0 ? Math.round((covered / amount) * 10000) / 10000 : null,
        byProvenance: { own: Number(r.own), visible: Number(r.visible), reliance: Number(r.reliance) },
      };
    });
  }
}

function reasonsOf(profile: ProfileView | null, amount: number, all: { amount: string }[]): PlanReason[] {
  if (!profile) return ['PROFILE_PENDING'];
  const reasons: PlanReason[] = [];
  if (profile.parts.recency >= RISK_WEIGHTS.recency) reasons.push('NO_RECENT_VISIBLE_CHECK');
  if (profile.parts.certification >= RISK_WEIGHTS.certification / 3) reasons.push('UNCERTIFIED_FUNDING');
  if (profile.fundersFunding >= Math.ceil(EXPOSURE_FUNDER_CAP / 2)) reasons.push('MANY_FUNDERS');
  if (profile.lastSharedCheck?.outcome === 'NON_COMPLIANT') reasons.push('LAST_OUTCOME_NON_COMPLIANT');
  if (profile.lastSharedCheck?.outcome === 'COMPLIANT_WITH_RESERVATIONS') reasons.push('LAST_OUTCOME_RESERVATIONS');
  const amounts = all.map((a) => Number(a.amount)).sort((a, b) => b - a);
  if (amounts.length > 1 && amount >= amounts[Math.floor(amounts.length / 4)]) reasons.push('LARGE_AMOUNT');
  return reasons;
}
