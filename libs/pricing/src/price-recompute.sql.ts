/**
 * The cross-funder price recompute, as set-based SQL run by the system role in one transaction
 * (libs/pricing/src/price-recompute.job.ts). Formulas: docs/pricing.md. `$1` is the run id.
 */

/** Every computable action, once per ladder level whose keys it has (the view action_price_groups). */
export const MEMBERS_SQL = `
  CREATE TEMP TABLE price_members ON COMMIT DROP AS
  SELECT level, group_key, ref_certification, ref_formacode, ref_region, action_id, organisation_id, provider_siret,
         category, certification_code, modality, year, hours, unit_price, ln(unit_price::float8) AS log_unit, data_digest
    FROM action_price_groups`;

/** Statistics of every group; only the usable ones (every floor met) are stored. */
export const REFERENCES_SQL = `
  WITH s AS (SELECT * FROM pricing_settings),
  per_provider AS (SELECT level, group_key, provider_siret, count(*) AS c FROM price_members GROUP BY 1, 2, 3),
  top_provider AS (SELECT level, group_key, max(c) AS top FROM per_provider GROUP BY 1, 2),
  stats AS (
    SELECT m.level, m.group_key,
           min(m.category) AS category, min(m.ref_certification) AS certification_code, min(m.ref_formacode) AS formacode,
           min(m.modality) AS modality, min(m.ref_region) AS region, min(m.year) AS year,
           count(*)::int AS n, count(DISTINCT m.provider_siret)::int AS providers, count(DISTINCT m.organisation_id)::int AS funders,
           percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY m.unit_price::float8) AS u,
           percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY m.log_unit) AS lq,
           count(m.hours)::int AS hours_n,
           percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY m.hours::float8) AS h
      FROM price_members m
     GROUP BY m.level, m.group_key
  ),
  usable AS (
    SELECT st.*, t.top::numeric / st.n AS top_share
      FROM stats st JOIN top_provider t USING (level, group_key) CROSS JOIN s
     WHERE st.n >= s.min_actions AND st.providers >= s.min_providers AND st.funders >= s.min_funders
       AND t.top::numeric / st.n <= s.max_provider_share
  ),
  deviations AS (
    SELECT m.level, m.group_key,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.unit_price::float8 - u.u[3])) AS unit_mad,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.hours::float8 - u.h[3])) AS hours_mad
      FROM price_members m JOIN usable u USING (level, group_key)
     GROUP BY m.level, m.group_key
  )
  INSERT INTO price_references (run_id, level, group_key, category, certification_code, formacode, modality, region, year,
         n, providers, funders, top_provider_share,
         unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad,
         log_q1, log_q3, log_iqr)
  SELECT $1, u.level, u.group_key, u.category, u.certification_code, u.formacode, u.modality, u.region, u.year,
         u.n, u.providers, u.funders, round(u.top_share, 4),
         u.u[1], u.u[2], u.u[3], u.u[4], u.u[5], d.unit_mad,
         u.hours_n, u.h[1], u.h[2], u.h[3], u.h[4], u.h[5], d.hours_mad,
         u.lq[1], u.lq[2], greatest(u.lq[2] - u.lq[1], s.log_iqr_floor::float8)
    FROM usable u JOIN deviations d USING (level, group_key) CROSS JOIN s`;

/**
 * Each computable action tested against the narrowest usable group that contains it, with its
 * percent rank in that group and the flag its log unit price earns against the fences.
 */
export const TESTED_SQL = `
  CREATE TEMP TABLE price_tested ON COMMIT DROP AS
  WITH s AS (SELECT * FROM pricing_settings),
  ranked AS (
    SELECT m.*, percent_rank() OVER (PARTITION BY m.level, m.group_key ORDER BY m.unit_price) AS rank
      FROM price_members m
     WHERE EXISTS (SELECT 1 FROM price_references r WHERE r.run_id = $1 AND r.level = m.level AND r.group_key = m.group_key)
  ),
  narrowest AS (
    SELECT DISTINCT ON (action_id) * FROM ranked ORDER BY action_id, level
  )
  SELECT n.action_id, n.organisation_id, n.provider_siret, n.category, n.certification_code, n.year, n.modality,
         n.unit_price, n.log_unit, n.rank, n.data_digest, r.level, r.group_key,
         r.certification_code AS group_certification_code, r.formacode AS group_formacode, r.region AS group_region,
         r.n, r.providers, r.funders, r.unit_p10, r.unit_q1, r.unit_median, r.unit_q3, r.unit_p90, r.unit_mad,
         r.log_q1, r.log_q3, r.log_iqr,
         CASE
           WHEN n.log_unit > r.log_q3 + s.extreme_fence * r.log_iqr THEN 'PRICE_EXTREME'
           WHEN n.log_unit > r.log_q3 + s.high_fence * r.log_iqr THEN 'PRICE_HIGH'
           WHEN n.log_unit < r.log_q1 - s.low_fence * r.log_iqr THEN 'PRICE_LOW'
         END AS kind,
         exp(r.log_q1 - s.low_fence * r.log_iqr) AS fence_low,
         exp(r.log_q3 + s.high_fence * r.log_iqr) AS fence_high,
         exp(r.log_q3 + s.extreme_fence * r.log_iqr) AS fence_extreme
    FROM narrowest n
    JOIN price_references r ON r.run_id = $1 AND r.level = n.level AND r.group_key = n.group_key
   CROSS JOIN s`;

/** What this run flags, every kind alike: the upsert below turns it into anomalies. */
export const FLAGS_TABLE_SQL = `
  CREATE TEMP TABLE price_flags (
    organisation_id uuid NOT NULL, subject_key text NOT NULL, kind text NOT NULL, action_id uuid,
    provider_siret char(14) NOT NULL, category text NOT NULL, certification_code text, year integer NOT NULL,
    evidence jsonb NOT NULL, level smallint, percent_rank double precision, data_digest text,
    PRIMARY KEY (organisation_id, subject_key)
  ) ON COMMIT DROP`;

/** Group kinds: each flagged action, with the group's statistics as evidence. */
export const GROUP_FLAGS_SQL = `
  INSERT INTO price_flags
  SELECT t.organisation_id, 'PRICE:' || t.action_id, t.kind, t.action_id, t.provider_siret, t.category, t.certification_code, t.year,
         jsonb_build_object(
           'groupKey', t.group_key, 'level', t.level, 'category', t.category, 'modality', t.modality, 'year', t.year,
           'certificationCode', t.group_certification_code, 'formacode', t.group_formacode, 'region', t.group_region,
           'n', t.n, 'providers', t.providers, 'funders', t.funders,
           'unit', jsonb_build_object('p10', round(t.unit_p10::numeric, 2), 'q1', round(t.unit_q1::numeric, 2),
              'median', round(t.unit_median::numeric, 2), 'q3', round(t.unit_q3::numeric, 2), 'p90', round(t.unit_p90::numeric, 2),
              'mad', round(t.unit_mad::numeric, 2)),
           'fences', jsonb_build_object('low', round(t.fence_low::numeric, 2), 'high', round(t.fence_high::numeric, 2),
              'extreme', round(t.fence_extreme::numeric, 2)),
           'logIqr', round(t.log_iqr::numeric, 4),
           'value', round(t.unit_price::numeric, 2), 'percentRank', round(t.rank::numeric, 4)),
         t.level, t.rank, t.data_digest
    FROM price_tested t
   WHERE t.kind IS NOT NULL`;

/** The band a ratio falls in: evidence shows bands, never the other side's prices. */
const RATIO_BAND = (ratio: string) => `CASE
    WHEN ${ratio} >= 3 THEN '>= 3' WHEN ${ratio} >= 2 THEN '2 - 3' WHEN ${ratio} >= 1.5 THEN '1.5 - 2'
    WHEN ${ratio} >= 1.3 THEN '1.3 - 1.5' WHEN ${ratio} > 1 THEN '1 - 1.3'
    WHEN ${ratio} > 0.75 THEN '0.75 - 1' WHEN ${ratio} > 0.5 THEN '0.5 - 0.75' ELSE '< 0.5' END`;

/**
 * CROSS_FUNDER_DISPARITY: for one funder, a provider's median unit price (category, certification,
 * year) above the disparity ratio times its median to the other funders; each side has at least
 * the minimum of actions, the other side at least the minimum of funders. One per funder and set.
 */
export const DISPARITY_FLAGS_SQL = `
  WITH s AS (SELECT * FROM pricing_settings),
  own AS (
    SELECT organisation_id, provider_siret, category, certification_code, year, count(*)::int AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY unit_price::float8) AS median
      FROM action_unit_prices WHERE unit_price IS NOT NULL AND certification_code IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ),
  -- Only the sets whose own side is large enough to count go on to the other funders' side: each
  -- of their actions is joined once per other funder of the set, so joining every set (most have
  -- one or two actions) sorted millions of rows (minutes at 5,000,000 actions).
  candidates AS MATERIALIZED (SELECT o.* FROM own o WHERE o.n >= (SELECT disparity_min_actions FROM pricing_settings)),
  others AS (
    SELECT c.organisation_id, c.provider_siret, c.category, c.certification_code, c.year, c.n AS own_n, c.median AS own_median,
           count(*)::int AS n, count(DISTINCT p.organisation_id)::int AS funders,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY p.unit_price::float8) AS median
      FROM candidates c
      JOIN action_unit_prices p ON p.provider_siret = c.provider_siret AND p.category = c.category AND p.certification_code = c.certification_code
            AND p.year = c.year AND p.organisation_id <> c.organisation_id AND p.unit_price IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7
  ),
  disparities AS (
    SELECT x.organisation_id, x.provider_siret, x.category, x.certification_code, x.year, x.own_n AS n,
           x.n AS other_n, x.funders AS other_funders, x.own_median / x.median AS ratio
      FROM others x CROSS JOIN s
     WHERE x.n >= s.disparity_min_actions AND x.funders >= s.disparity_min_other_funders
       AND x.own_median > s.disparity_ratio * x.median
  )
  INSERT INTO price_flags
  SELECT d.organisation_id, concat_ws('|', 'DISPARITY', d.provider_siret, d.category, d.certification_code, d.year),
         'CROSS_FUNDER_DISPARITY', NULL, d.provider_siret, d.category, d.certification_code, d.year,
         jsonb_build_object('ratioBand', ${RATIO_BAND('d.ratio')}, 'ownActions', d.n, 'otherActions', d.other_n,
           'otherFunders', d.other_funders, 'providerSiret', d.provider_siret, 'category', d.category,
           'certificationCode', d.certification_code, 'year', d.year),
         NULL, NULL, ${RATIO_BAND('d.ratio')}
    FROM disparities d`;

/**
 * DURATION_SHORT (shrinkflation): per provider, category, certification and year, the median hours
 * per trainee across funders fell below the ratio times the previous year's while the median price
 * per trainee did not fall; each year's set has the minimum of actions and funders. One anomaly
 * per funder with actions in the current year's set.
 */
export const SHRINK_FLAGS_SQL = `
  WITH s AS (SELECT * FROM pricing_settings),
  p AS (SELECT * FROM action_unit_prices WHERE hours > 0 AND price_per_trainee IS NOT NULL AND certification_code IS NOT NULL),
  yearly AS (
    SELECT provider_siret, category, certification_code, year, count(*)::int AS n, count(DISTINCT organisation_id)::int AS funders,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours::float8) AS hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_trainee::float8) AS price
      FROM p GROUP BY 1, 2, 3, 4
  ),
  shrunk AS (
    SELECT cur.*, prev.n AS prev_n, prev.funders AS prev_funders, cur.hours / prev.hours AS hours_ratio, cur.price / prev.price AS price_ratio
      FROM yearly cur
      JOIN yearly prev ON prev.provider_siret = cur.provider_siret AND prev.category = cur.category
                      AND prev.certification_code = cur.certification_code AND prev.year = cur.year - 1
     CROSS JOIN s
     WHERE cur.n >= s.shrink_min_actions AND prev.n >= s.shrink_min_actions
       AND cur.funders >= s.shrink_min_funders AND prev.funders >= s.shrink_min_funders
       AND cur.hours < s.shrink_hours_ratio * prev.hours AND cur.price >= prev.price
  )
  INSERT INTO price_flags
  SELECT f.organisation_id, concat_ws('|', 'SHRINK', x.provider_siret, x.category, x.certification_code, x.year),
         'DURATION_SHORT', NULL, x.provider_siret, x.category, x.certification_code, x.year,
         jsonb_build_object('hoursRatioBand', ${RATIO_BAND('x.hours_ratio')}, 'priceRatioBand', ${RATIO_BAND('x.price_ratio')},
           'actions', x.n, 'funders', x.funders, 'previousActions', x.prev_n, 'previousFunders', x.prev_funders,
           'providerSiret', x.provider_siret, 'category', x.category, 'certificationCode', x.certification_code, 'year', x.year),
         NULL, NULL, ${RATIO_BAND('x.hours_ratio')} || '/' || ${RATIO_BAND('x.price_ratio')}
    FROM shrunk x
    JOIN (SELECT DISTINCT organisation_id, provider_siret, category, certification_code, year FROM p) f
      ON f.provider_siret = x.provider_siret AND f.category = x.category AND f.certification_code = x.certification_code AND f.year = x.year`;

/**
 * ABOVE_NPEC: an apprenticeship action whose cost per apprentice per contract-year exceeds the
 * funding level of its certification and branch valid at its start; without a branch, above the
 * highest level across branches (the evidence says which basis and shows the range).
 */
export const NPEC_FLAGS_SQL = `
  WITH p AS (
    SELECT * FROM action_unit_prices
     WHERE category = 'APPRENTICESHIP' AND unit_price IS NOT NULL AND certification_code LIKE 'RNCP%'
  ),
  compared AS (
    SELECT p.*, 'BRANCH' AS basis, n.eur_per_year AS level_eur, n.eur_per_year AS range_min, n.eur_per_year AS range_max, 1 AS branches
      FROM p CROSS JOIN LATERAL (
        -- the level in force at the start (the latest one when periods overlap)
        SELECT eur_per_year FROM npec_levels n
         WHERE n.rncp = p.certification_code AND n.idcc = p.branch_idcc
           AND p.start_date >= n.valid_from AND (n.valid_to IS NULL OR p.start_date <= n.valid_to)
         ORDER BY n.valid_from DESC LIMIT 1
      ) n
    UNION ALL
    SELECT p.*, 'RANGE_ACROSS_BRANCHES', r.range_max, r.range_min, r.range_max, r.branches
      FROM p CROSS JOIN LATERAL (
        SELECT min(n.eur_per_year) AS range_min, max(n.eur_per_year) AS range_max, count(*)::int AS branches
          FROM npec_levels n
         WHERE n.rncp = p.certification_code AND p.start_date >= n.valid_from AND (n.valid_to IS NULL OR p.start_date <= n.valid_to)
      ) r
     WHERE p.branch_idcc IS NULL AND r.branches > 0
  )
  INSERT INTO price_flags
  SELECT c.organisation_id, 'NPEC:' || c.action_id, 'ABOVE_NPEC', c.action_id, c.provider_siret, c.category, c.certification_code, c.year,
         jsonb_build_object('basis', c.basis, 'certificationCode', c.certification_code, 'idcc', c.branch_idcc,
           'levelEurPerYear', c.level_eur, 'range', jsonb_build_object('min', c.range_min, 'max', c.range_max, 'branches', c.branches),
           'value', round(c.unit_price::numeric, 2), 'ratio', round((c.unit_price / c.level_eur)::numeric, 3)),
         NULL, NULL, c.data_digest
    FROM compared c
   WHERE c.unit_price > c.level_eur`;

/** How many apprenticeship actions the NPEC comparison could test (a level applies) or not. */
export const NPEC_COVERAGE_SQL = `
  WITH p AS (SELECT * FROM action_unit_prices WHERE category = 'APPRENTICESHIP'),
  tested AS (
    SELECT p.action_id FROM p
     WHERE p.unit_price IS NOT NULL AND EXISTS (
       SELECT 1 FROM npec_levels n WHERE n.rncp = p.certification_code AND (p.branch_idcc IS NULL OR n.idcc = p.branch_idcc)
          AND p.start_date >= n.valid_from AND (n.valid_to IS NULL OR p.start_date <= n.valid_to))
  )
  SELECT jsonb_build_object('kind', 'ABOVE_NPEC',
           'tested', (SELECT count(*) FROM tested)::int,
           'flagged', (SELECT count(*) FROM price_flags WHERE kind = 'ABOVE_NPEC')::int,
           'notComputable', (SELECT count(*) FROM p WHERE unit_price IS NULL)::int,
           'withoutUsableGroup', (SELECT count(*) FROM p WHERE unit_price IS NOT NULL)::int - (SELECT count(*) FROM tested)::int,
           'suspect', (SELECT count(*) FROM tested) > 0
              AND (SELECT count(*) FROM price_flags WHERE kind = 'ABOVE_NPEC')::numeric / (SELECT count(*) FROM tested)
                  > (SELECT suspect_flag_share FROM pricing_settings)) AS coverage`;

/**
 * Flags become anomalies of their funder. Evidence is frozen: an open anomaly takes new evidence
 * only when it differs; a reviewed one keeps what was reviewed unless the evidence changed
 * materially (the action's own data or the provider kinds' bands, its kind or ladder level, or its
 * percent rank by at least the configured points), and then it reopens, saying what changed.
 * Returns the events written (FLAGGED, REOPENED).
 */
export const UPSERT_ANOMALIES_SQL = `
  WITH s AS (SELECT * FROM pricing_settings),
  run AS (SELECT id, method_version, input_watermark FROM price_runs WHERE id = $1),
  written AS (
    INSERT INTO price_anomalies AS a (organisation_id, subject_key, kind, action_id, provider_siret, category,
           certification_code, year, evidence, level, percent_rank, data_digest, method_version, run_id, input_watermark)
    SELECT f.organisation_id, f.subject_key, f.kind, f.action_id, f.provider_siret, f.category,
           f.certification_code, f.year, f.evidence || jsonb_build_object('methodVersion', run.method_version,
             'snapshot', jsonb_build_object('runId', run.id, 'inputWatermark', run.input_watermark)),
           f.level, f.percent_rank, f.data_digest, run.method_version, run.id, run.input_watermark
      FROM price_flags f CROSS JOIN run
    ON CONFLICT (organisation_id, subject_key) DO UPDATE SET
      status = 'OPEN',
      kind = EXCLUDED.kind, evidence = EXCLUDED.evidence, level = EXCLUDED.level, percent_rank = EXCLUDED.percent_rank,
      data_digest = EXCLUDED.data_digest, method_version = EXCLUDED.method_version, run_id = EXCLUDED.run_id,
      input_watermark = EXCLUDED.input_watermark, active = true, updated_at = now(),
      change_note = CASE WHEN a.status <> 'OPEN' THEN concat_ws('; ',
          CASE WHEN a.data_digest IS DISTINCT FROM EXCLUDED.data_digest THEN
            CASE WHEN a.action_id IS NULL THEN 'BAND:' || a.data_digest || '>' || EXCLUDED.data_digest ELSE 'ACTION_DATA' END END,
          CASE WHEN a.kind <> EXCLUDED.kind THEN 'KIND:' || a.kind || '>' || EXCLUDED.kind END,
          CASE WHEN a.level IS DISTINCT FROM EXCLUDED.level THEN 'LEVEL:' || a.level || '>' || EXCLUDED.level END,
          CASE WHEN abs(coalesce(a.percent_rank, 0) - EXCLUDED.percent_rank) >= (SELECT material_rank_change FROM s)
               THEN 'RANK:' || round(a.percent_rank::numeric, 4) || '>' || round(EXCLUDED.percent_rank::numeric, 4) END)
        END,
      review_ground = CASE WHEN a.status <> 'OPEN' THEN NULL ELSE a.review_ground END,
      review_comment = CASE WHEN a.status <> 'OPEN' THEN NULL ELSE a.review_comment END,
      reviewed_by = CASE WHEN a.status <> 'OPEN' THEN NULL ELSE a.reviewed_by END,
      reviewed_at = CASE WHEN a.status <> 'OPEN' THEN NULL ELSE a.reviewed_at END
    WHERE (a.status = 'OPEN' AND (NOT a.active OR a.kind <> EXCLUDED.kind
            OR (a.evidence - 'snapshot' - 'methodVersion') IS DISTINCT FROM (EXCLUDED.evidence - 'snapshot' - 'methodVersion')))
       OR (a.status <> 'OPEN' AND (a.data_digest IS DISTINCT FROM EXCLUDED.data_digest OR a.kind <> EXCLUDED.kind
            OR a.level IS DISTINCT FROM EXCLUDED.level
            OR abs(coalesce(a.percent_rank, 0) - EXCLUDED.percent_rank) >= (SELECT material_rank_change FROM s)))
    RETURNING a.id, a.organisation_id, a.kind, a.change_note, (xmax = 0) AS inserted
  )
  INSERT INTO price_anomaly_events (anomaly_id, organisation_id, event, detail)
  SELECT w.id, w.organisation_id, CASE WHEN w.inserted THEN 'FLAGGED' ELSE 'REOPENED' END,
         jsonb_build_object('kind', w.kind, 'runId', $1::uuid, 'changed', w.change_note)
    FROM written w
   WHERE w.inserted OR w.change_note IS NOT NULL
  RETURNING event`;

/** Open anomalies this run no longer flags are set inactive (reviewed ones stay as reviewed). */
export const DEACTIVATE_SQL = `
  UPDATE price_anomalies a SET active = false, updated_at = now()
   WHERE a.active AND a.status = 'OPEN'
     AND NOT EXISTS (SELECT 1 FROM price_flags f WHERE f.organisation_id = a.organisation_id AND f.subject_key = a.subject_key)`;

/**
 * The test coverage of the run: per kind, actions tested, flagged, not computable, without a
 * usable group, and whether the kind flags more than the suspect share of what it tests.
 */
export const TEST_COVERAGE_SQL = `
  WITH s AS (SELECT * FROM pricing_settings),
  counts AS (
    SELECT (SELECT count(*) FROM action_unit_prices WHERE unit_price IS NULL)::int AS not_computable,
           (SELECT count(*) FROM action_unit_prices WHERE unit_price IS NOT NULL)::int AS computable,
           (SELECT count(*) FROM price_tested)::int AS tested
  ),
  per_kind AS (
    SELECT k.kind, (SELECT count(*) FROM price_tested t WHERE t.kind = k.kind)::int AS flagged
      FROM (VALUES ('PRICE_HIGH'), ('PRICE_EXTREME'), ('PRICE_LOW')) AS k(kind)
  )
  -- Group kinds only: the provider kinds test sets, not actions, and report their flags per run.
  SELECT jsonb_agg(jsonb_build_object(
           'kind', p.kind, 'tested', c.tested, 'flagged', p.flagged, 'notComputable', c.not_computable,
           'withoutUsableGroup', c.computable - c.tested,
           'suspect', c.tested > 0 AND p.flagged::numeric / c.tested > s.suspect_flag_share) ORDER BY p.kind) AS coverage
    FROM per_kind p CROSS JOIN counts c CROSS JOIN s`;
