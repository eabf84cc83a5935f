-- Hand-written baseline of the provider control profile (bench/profile.mjs): the same columns as
-- libs/sharing/src/provider-profile.sql.ts computes for every establishment, written the plain way
-- (one aggregate per source, joined on the establishment) into a temporary table, so every column
-- is computed. $1: the run's business time.
CREATE TEMP TABLE baseline_profile ON COMMIT DROP AS
WITH establishments AS (
  SELECT provider_siret FROM funded_actions
  UNION
  SELECT c.provider_siret FROM checks c JOIN check_shares s ON s.check_id = c.id AND s.mode = 'POOL'
),
funding AS (
  SELECT provider_siret, count(DISTINCT organisation_id) AS funders, sum(amount_funded) AS amount,
         coalesce(sum(amount_funded) FILTER (WHERE coverage IN ('NOT_CERTIFIED', 'UNKNOWN')), 0) AS uncertified
    FROM funded_actions
   WHERE start_date > ($1::timestamptz - interval '12 months')::date AND start_date <= $1::timestamptz::date
   GROUP BY provider_siret
),
pooled AS (
  SELECT c.provider_siret, c.id, c.completed_at, c.outcome
    FROM checks c JOIN check_shares s ON s.check_id = c.id AND s.mode = 'POOL'
   WHERE c.state = 'COMPLETED' AND c.completed_at > $1::timestamptz - interval '36 months' AND c.completed_at <= $1::timestamptz
),
last_check AS (
  SELECT DISTINCT ON (provider_siret) provider_siret, id, completed_at, outcome FROM pooled ORDER BY provider_siret, completed_at DESC, id DESC
),
check_counts AS (
  SELECT provider_siret, count(*) AS n, array_agg(id ORDER BY id) AS ids FROM pooled GROUP BY provider_siret
),
finding_counts AS (
  SELECT p.provider_siret, count(*) FILTER (WHERE f.grade IN ('MINOR_NC', 'MAJOR_NC')) AS nc, count(*) FILTER (WHERE f.grade = 'MAJOR_NC') AS major
    FROM pooled p JOIN check_findings f ON f.check_id = p.id GROUP BY p.provider_siret
)
SELECT e.provider_siret,
       coalesce(f.funders, 0) AS funders_funding, coalesce(f.amount, 0) AS amount_12m, coalesce(f.uncertified, 0) AS uncertified_amount_12m,
       coalesce(cc.n, 0) AS shared_checks, coalesce(fc.nc, 0) AS shared_nc_findings, coalesce(fc.major, 0) AS shared_major_findings,
       coalesce(cc.ids, '{}') AS shared_check_ids, l.id AS last_shared_check_id, l.completed_at AS last_shared_completed_at, l.outcome AS last_shared_outcome,
       round(20 * least(coalesce(f.funders, 0), 5)::numeric / 5, 2) AS exposure_points,
       round(CASE WHEN coalesce(f.amount, 0) > 0 THEN 30 * f.uncertified / f.amount ELSE 0 END, 2) AS certification_points,
       round(CASE WHEN l.completed_at IS NULL THEN 30 ELSE 30 * least(1, extract(epoch FROM $1::timestamptz - l.completed_at) / (30.4375 * 86400 * 36)) END::numeric, 2) AS recency_points,
       round(20 * CASE l.outcome WHEN 'NON_COMPLIANT' THEN 1 WHEN 'COMPLIANT' THEN 0 ELSE 0.5 END::numeric, 2) AS outcome_points
  FROM establishments e
  LEFT JOIN funding f ON f.provider_siret = e.provider_siret
  LEFT JOIN check_counts cc ON cc.provider_siret = e.provider_siret
  LEFT JOIN finding_counts fc ON fc.provider_siret = e.provider_siret
  LEFT JOIN last_check l ON l.provider_siret = e.provider_siret;
