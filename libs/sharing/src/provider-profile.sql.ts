import { EXPOSURE_FUNDER_CAP, FUNDING_WINDOW_MONTHS, OUTCOME_FACTORS, RECENCY_HORIZON_MONTHS, RISK_WEIGHTS } from './risk-score';

/** The stored values of a profile: a profile is rewritten only when one of them changed. */
const COLUMNS = [
  'funders_funding', 'amount_12m', 'uncertified_amount_12m', 'shared_checks', 'shared_nc_findings', 'shared_major_findings', 'shared_check_ids',
  'last_shared_check_id', 'last_shared_completed_at', 'last_shared_outcome', 'exposure_points', 'certification_points', 'recency_points',
  'outcome_points', 'score_base', 'score',
] as const;

/**
 * The provider control profile in one set-based statement (system role, every funder's rows):
 * per establishment, the funders funding it and the amounts of the last 12 months, the completed
 * checks shared with the pool over the last 36 months with their findings, and the risk score
 * (risk-score.ts). `$1` is the run's business time. In incremental mode `$2` is the database-time
 * watermark (rows changed after it) and `$3` the previous run's business time (windows crossed
 * since): only those establishments are recomputed; in full mode every establishment is, and
 * profiles of establishments that no longer have anything are deleted. `target` says whether the
 * profile table is empty (the first run: plain inserts, none of the matching a stored profile costs).
 */
export function profileSql(mode: 'full' | 'incremental', target: 'empty' | 'stored' = 'stored'): string {
  const months = (n: number) => `interval '${n} months'`;
  const touched =
    mode === 'full'
      ? `SELECT provider_siret FROM funded_actions UNION SELECT c.provider_siret FROM checks c JOIN check_shares s ON s.check_id = c.id AND s.mode = 'POOL'`
      : // One indexed branch per reason (an OR across columns would scan every action).
        `SELECT provider_siret FROM funded_actions WHERE updated_at > $2
         UNION SELECT provider_siret FROM funded_actions WHERE coverage_evaluated_at > $2
         -- actions that left the 12-month window, or entered it (a start date reached), since the last run
         UNION SELECT provider_siret FROM funded_actions
          WHERE start_date > ($3::timestamptz - ${months(FUNDING_WINDOW_MONTHS)})::date AND start_date <= ($1::timestamptz - ${months(FUNDING_WINDOW_MONTHS)})::date
         UNION SELECT provider_siret FROM funded_actions WHERE start_date > $3::timestamptz::date AND start_date <= $1::timestamptz::date
         UNION SELECT provider_siret FROM checks WHERE updated_at > $2
         -- checks that left the 36-month window since the last run
         UNION SELECT provider_siret FROM checks
          WHERE completed_at > $3::timestamptz - ${months(RECENCY_HORIZON_MONTHS)} AND completed_at <= $1::timestamptz - ${months(RECENCY_HORIZON_MONTHS)}
         UNION SELECT c.provider_siret FROM check_shares s JOIN checks c ON c.id = s.check_id WHERE s.changed_at > $2`;
  const outcomeCase = (col: string) =>
    `CASE ${col} WHEN 'NON_COMPLIANT' THEN ${OUTCOME_FACTORS.NON_COMPLIANT} WHEN 'COMPLIANT_WITH_RESERVATIONS' THEN ${OUTCOME_FACTORS.COMPLIANT_WITH_RESERVATIONS}
       WHEN 'COMPLIANT' THEN ${OUTCOME_FACTORS.COMPLIANT} ELSE ${OUTCOME_FACTORS.NONE} END`;
  return `
    WITH touched AS (${touched}),
    funding AS (
      SELECT fa.provider_siret,
             count(DISTINCT fa.organisation_id) AS funders_funding,
             sum(fa.amount_funded) AS amount_12m,
             coalesce(sum(fa.amount_funded) FILTER (WHERE fa.coverage IN ('NOT_CERTIFIED', 'UNKNOWN')), 0) AS uncertified_amount_12m
        FROM funded_actions fa
       WHERE fa.start_date > ($1::timestamptz - ${months(FUNDING_WINDOW_MONTHS)})::date AND fa.start_date <= $1::timestamptz::date
         ${mode === 'full' ? '' : 'AND fa.provider_siret IN (SELECT provider_siret FROM touched)'}
       GROUP BY fa.provider_siret
    ),
    pooled AS (
      SELECT c.provider_siret, c.id, c.completed_at, c.outcome
        FROM checks c JOIN check_shares s ON s.check_id = c.id AND s.mode = 'POOL'
       WHERE c.state = 'COMPLETED' AND c.completed_at > $1::timestamptz - ${months(RECENCY_HORIZON_MONTHS)} AND c.completed_at <= $1::timestamptz
         ${mode === 'full' ? '' : 'AND c.provider_siret IN (SELECT provider_siret FROM touched)'}
    ),
    pooled_findings AS (
      SELECT p.provider_siret,
             count(*) FILTER (WHERE f.grade IN ('MINOR_NC', 'MAJOR_NC')) AS nc,
             count(*) FILTER (WHERE f.grade = 'MAJOR_NC') AS major
        FROM pooled p JOIN check_findings f ON f.check_id = p.id
       GROUP BY p.provider_siret
    ),
    pooled_checks AS (
      SELECT provider_siret, count(*) AS n, array_agg(id ORDER BY id) AS ids,
             (array_agg(id ORDER BY completed_at DESC, id DESC))[1] AS last_id,
             max(completed_at) AS last_at,
             (array_agg(outcome ORDER BY completed_at DESC, id DESC))[1] AS last_outcome
        FROM pooled GROUP BY provider_siret
    ),
    parts AS (
      SELECT t.provider_siret,
             coalesce(fu.funders_funding, 0)::int AS funders_funding,
             coalesce(fu.amount_12m, 0) AS amount_12m,
             coalesce(fu.uncertified_amount_12m, 0) AS uncertified_amount_12m,
             coalesce(pc.n, 0)::int AS shared_checks,
             coalesce(pf.nc, 0)::int AS shared_nc_findings,
             coalesce(pf.major, 0)::int AS shared_major_findings,
             coalesce(pc.ids, '{}') AS shared_check_ids,
             pc.last_id, pc.last_at, pc.last_outcome,
             round(${RISK_WEIGHTS.exposure} * least(coalesce(fu.funders_funding, 0), ${EXPOSURE_FUNDER_CAP})::numeric / ${EXPOSURE_FUNDER_CAP}, 2) AS exposure_points,
             round(CASE WHEN coalesce(fu.amount_12m, 0) > 0 THEN ${RISK_WEIGHTS.certification} * fu.uncertified_amount_12m / fu.amount_12m ELSE 0 END, 2) AS certification_points,
             round(CASE WHEN pc.last_at IS NULL THEN ${RISK_WEIGHTS.recency}
                        ELSE ${RISK_WEIGHTS.recency} * least(1, greatest(0, extract(epoch FROM $1::timestamptz - pc.last_at) / (30.4375 * 86400 * ${RECENCY_HORIZON_MONTHS}))) END::numeric, 2) AS recency_points,
             round((${RISK_WEIGHTS.outcome} * ${outcomeCase('pc.last_outcome')})::numeric, 2) AS outcome_points
        FROM touched t -- a UNION: each establishment once
        LEFT JOIN funding fu ON fu.provider_siret = t.provider_siret
        LEFT JOIN pooled_checks pc ON pc.provider_siret = t.provider_siret
        LEFT JOIN pooled_findings pf ON pf.provider_siret = t.provider_siret
    ),
    profiles AS (
      SELECT provider_siret, funders_funding, amount_12m, uncertified_amount_12m, shared_checks, shared_nc_findings, shared_major_findings,
             shared_check_ids, last_id AS last_shared_check_id, last_at AS last_shared_completed_at, last_outcome AS last_shared_outcome,
             exposure_points, certification_points, recency_points, outcome_points,
             exposure_points + certification_points + ${RISK_WEIGHTS.recency} + ${RISK_WEIGHTS.outcome * OUTCOME_FACTORS.NONE} AS score_base,
             exposure_points + certification_points + recency_points + outcome_points AS score
        FROM parts
    ),
    -- The job is the profiles' only writer (under its lock). Into an empty table (the first run)
    -- every profile is a plain insert. Otherwise one join of the new profiles with the stored ones:
    -- a new establishment is inserted, a profile whose values changed is updated, and one whose
    -- values did not change is not touched at all, not even locked (a nightly full run changes
    -- few): it keeps its as_of, and the reader shows it as of the last full run (migration 0032).
    -- A full run also deletes the profiles of establishments that no longer have anything.
    written AS (${
      target === 'empty'
        ? `
      INSERT INTO provider_control_profiles (provider_siret, ${COLUMNS.join(', ')}, as_of, computed_at)
      SELECT provider_siret, ${COLUMNS.join(', ')}, $1, now() FROM profiles
      RETURNING 'INSERT' AS action`
        : `
      MERGE INTO provider_control_profiles p
      USING profiles n ON n.provider_siret = p.provider_siret
      WHEN MATCHED AND (${COLUMNS.map((c) => `p.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `n.${c}`).join(', ')}) THEN
        UPDATE SET ${COLUMNS.map((c) => `${c} = n.${c}`).join(', ')}, as_of = $1, computed_at = now()
      WHEN NOT MATCHED THEN
        INSERT (provider_siret, ${COLUMNS.join(', ')}, as_of, computed_at) VALUES (n.provider_siret, ${COLUMNS.map((c) => `n.${c}`).join(', ')}, $1, now())
      ${mode === 'full' ? 'WHEN NOT MATCHED BY SOURCE THEN DELETE' : ''}
      RETURNING merge_action() AS action`
    }
    )
    SELECT count(*) FILTER (WHERE action <> 'DELETE')::int AS written, count(*) FILTER (WHERE action = 'DELETE')::int AS removed FROM written`;
}
