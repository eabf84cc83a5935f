/**
 * The provider risk score (0-100) of the control plan, one source for the profile job's SQL, the
 * read-time view and docs/sharing.md. Four inputs, each a share of the 100 points:
 *
 * - exposure (20): how many funders fund the provider (actions starting in the last 12 months),
 *   capped at 5: a failing provider harms more trainees and more public money;
 * - certification (30): the share of the amount funded in the last 12 months on actions whose
 *   provider was not known certified for the category (coverage NOT_CERTIFIED or UNKNOWN): the
 *   legal condition of funding (L.6316-1) is the first thing a control verifies;
 * - control recency (30): the age of the last completed check shared with the pool, over the
 *   36 months after which funders' pooled control body controls again; no check counts fully;
 * - last outcome (20): that check's outcome (non-compliant 1, with reservations 0.5,
 *   compliant 0); with no check, 0.5, as little is known either way.
 *
 * The base score is the same formula without any shared check (recency 30, outcome 10): it is
 * what a funder that may not see every shared input gets, so no score betrays a check it cannot
 * see (disclosure catalogue, design §3).
 */
export const RISK_WEIGHTS = { exposure: 20, certification: 30, recency: 30, outcome: 20 } as const;
export const EXPOSURE_FUNDER_CAP = 5;
export const RECENCY_HORIZON_MONTHS = 36;
export const FUNDING_WINDOW_MONTHS = 12;
export const OUTCOME_FACTORS = { NON_COMPLIANT: 1, COMPLIANT_WITH_RESERVATIONS: 0.5, COMPLIANT: 0, NONE: 0.5 } as const;

/** The score's parts when no shared check is an input. */
export const BASE_RECENCY_POINTS = RISK_WEIGHTS.recency;
export const BASE_OUTCOME_POINTS = RISK_WEIGHTS.outcome * OUTCOME_FACTORS.NONE;

export interface RiskInputs {
  fundersFunding: number;
  amount12m: number;
  uncertifiedAmount12m: number;
  /** Months since the last shared check completed; null without one. */
  monthsSinceLastSharedCheck: number | null;
  lastSharedOutcome: keyof typeof OUTCOME_FACTORS | null;
}

export interface RiskParts {
  exposure: number;
  certification: number;
  recency: number;
  outcome: number;
  score: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The formula in TypeScript: the specification the SQL is tested against. */
export function riskScore(inputs: RiskInputs): RiskParts {
  const exposure = round2((RISK_WEIGHTS.exposure * Math.min(inputs.fundersFunding, EXPOSURE_FUNDER_CAP)) / EXPOSURE_FUNDER_CAP);
  const certification = round2(inputs.amount12m > 0 ? (RISK_WEIGHTS.certification * inputs.uncertifiedAmount12m) / inputs.amount12m : 0);
  const recency = round2(
    inputs.monthsSinceLastSharedCheck === null ? RISK_WEIGHTS.recency : RISK_WEIGHTS.recency * Math.min(1, Math.max(0, inputs.monthsSinceLastSharedCheck) / RECENCY_HORIZON_MONTHS),
  );
  const outcome = round2(RISK_WEIGHTS.outcome * OUTCOME_FACTORS[inputs.lastSharedOutcome ?? 'NONE']);
  return { exposure, certification, recency, outcome, score: round2(exposure + certification + recency + outcome) };
}
