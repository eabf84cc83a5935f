/**
 * The cross-funder price recompute, as set-based SQL run by the system role in one transaction
 * (libs/pricing/src/price-recompute.job.ts). Formulas: docs/pricing.md. `$1` is the run id.
 */

/** A full run recomputes every group; an incremental one the groups of the scopes marked dirty. */
export type RunMode = 'full' | 'incremental';

/**
 * The scopes changed since the last run (migration 0034), consumed: the marks this statement's
 * snapshot sees are deleted, those committed after it wait for the next run.
 */
export const DIRTY_SQL = `-- price recompute: dirty scopes
  CREATE TEMP TABLE price_dirty ON COMMIT DROP AS SELECT scope, category, year, code FROM price_dirty_scopes WITH NO DATA;
  WITH consumed AS (DELETE FROM price_dirty_scopes RETURNING scope, category, year, code)
  INSERT INTO price_dirty SELECT DISTINCT * FROM consumed`;

/**
 * The actions the run looks at, once, with what it reads of them: the unit price (NULL when not
 * computable), hours and price per trainee as double precision (the statistics are computed on
 * them), the group keys' columns, and whether the action's certification scope (levels 1, 2 and
 * the provider kinds) and Formacode-family scope (levels 3, 4) are recomputed. A full run takes
 * every action; an incremental one the actions of the dirty scopes: every member of every group
 * it recomputes, and every action whose narrowest usable group may have changed.
 */
export function baseSql(mode: RunMode): string {
  const inScope = (scope: string, code: string) =>
    `(category, year, ${code}) IN (SELECT category, year, code FROM price_dirty WHERE scope = '${scope}')`;
  const certDirty = mode === 'full' ? 'true' : `coalesce(${inScope('CERTIFICATION', 'certification_code')}, false)`;
  const familyDirty = mode === 'full' ? 'true' : `coalesce(${inScope('FORMACODE_FAMILY', 'left(formacode, 3)')}, false)`;
  // DURATION_SHORT compares a year with the one before: a change in year Y moves the sets of Y and
  // Y + 1, which read Y - 1 to Y + 1.
  const providerDirty =
    mode === 'full'
      ? 'true'
      : `EXISTS (SELECT 1 FROM price_dirty d WHERE d.scope = 'CERTIFICATION' AND d.category = p.category AND d.code = p.certification_code
                   AND d.year BETWEEN p.year - 1 AND p.year + 1)`;
  return `-- price recompute: price base
  CREATE TEMP TABLE price_base ON COMMIT DROP AS
  SELECT * FROM (
    SELECT action_id, organisation_id, provider_siret, category, certification_code, formacode, modality, region, year,
           unit_price::float8 AS unit_price, hours::float8 AS hours, price_per_trainee::float8 AS price_per_trainee,
           ${certDirty} AS cert_dirty, ${familyDirty} AS family_dirty, ${providerDirty} AS provider_dirty
      FROM action_unit_prices p
  ) a
  ${mode === 'full' ? '' : 'WHERE cert_dirty OR family_dirty OR provider_dirty'}`;
}

/**
 * The ladder, narrow to wide. `key` is the run's internal group key (the selective code first, so
 * that sorts tell groups apart on their first bytes); the stored key is the view
 * action_price_groups' (`concat_ws('|', category, modality, year, 'L' || level, k1, k2)`).
 */
export const LEVELS = [
  { level: 1, present: (a: string) => `${a}certification_code IS NOT NULL`, key: (a: string) => `concat_ws('|', ${a}certification_code, ${a}region, ${a}category, ${a}modality, ${a}year)`,
    certification: 'certification_code', formacode: 'NULL::text', region: 'region', dirty: 'cert_dirty' },
  { level: 2, present: (a: string) => `${a}certification_code IS NOT NULL`, key: (a: string) => `concat_ws('|', ${a}certification_code, ${a}category, ${a}modality, ${a}year)`,
    certification: 'certification_code', formacode: 'NULL::text', region: 'NULL::char(2)', dirty: 'cert_dirty' },
  { level: 3, present: (a: string) => `${a}formacode IS NOT NULL`, key: (a: string) => `concat_ws('|', ${a}formacode, ${a}category, ${a}modality, ${a}year)`,
    certification: 'NULL::text', formacode: 'formacode::text', region: 'NULL::char(2)', dirty: 'family_dirty' },
  { level: 4, present: (a: string) => `${a}formacode IS NOT NULL`, key: (a: string) => `concat_ws('|', left(${a}formacode, 3), ${a}category, ${a}modality, ${a}year)`,
    certification: 'NULL::text', formacode: 'left(formacode, 3)', region: 'NULL::char(2)', dirty: 'family_dirty' },
] as const;

/** The usable groups of the run, every level, with their sorted unit prices (for percent ranks). */
export const LEVEL_REFS_TABLE_SQL = `-- price recompute: level refs table
  CREATE TEMP TABLE price_level_refs (
    id serial PRIMARY KEY, level smallint NOT NULL, k text NOT NULL, group_key text NOT NULL, computed boolean NOT NULL DEFAULT true,
    category text NOT NULL, certification_code text, formacode text, modality text NOT NULL, region char(2), year integer NOT NULL,
    n integer NOT NULL, providers integer NOT NULL, funders integer NOT NULL, top_provider_share numeric NOT NULL, units float8[],
    unit_p10 float8, unit_q1 float8, unit_median float8, unit_q3 float8, unit_p90 float8, unit_mad float8,
    hours_n integer NOT NULL, hours_p10 float8, hours_q1 float8, hours_median float8, hours_q3 float8, hours_p90 float8, hours_mad float8,
    log_q1 float8 NOT NULL, log_q3 float8 NOT NULL, log_iqr float8 NOT NULL
  ) ON COMMIT DROP`;

/**
 * One level's usable groups and their statistics, in one sort of its members: a window counts each
 * provider's actions in its group (the largest provider's share, the providers), one pass per group
 * gathers the unit prices and hours, which are sorted once per group; the quantiles (as
 * `percentile_cont` computes them, migration 0033) and MADs are read off the sorted arrays, and
 * only for the groups that meet every floor.
 */
export function levelRefsSql(level: (typeof LEVELS)[number]): string {
  return `-- price recompute: level ${level.level} references
  INSERT INTO price_level_refs (level, k, group_key, category, certification_code, formacode, modality, region, year, n, providers, funders,
         top_provider_share, units, unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad, log_q1, log_q3, log_iqr)
  WITH s AS (SELECT * FROM pricing_settings),
  w AS (
    SELECT ${level.key('')} AS k, category, ${level.certification} AS certification_code, ${level.formacode} AS formacode,
           modality, ${level.region} AS region, year, organisation_id, unit_price, hours,
           count(*) OVER p AS provider_actions, row_number() OVER p AS provider_row
      FROM price_base
     WHERE unit_price IS NOT NULL AND ${level.present('')} AND ${level.dirty}
    WINDOW p AS (PARTITION BY ${level.key('')}, provider_siret)
  ),
  g AS (
    SELECT k, any_value(category) AS category, any_value(certification_code) AS certification_code, any_value(formacode) AS formacode,
           any_value(modality) AS modality, any_value(region) AS region, any_value(year) AS year,
           count(*)::int AS n, count(*) FILTER (WHERE provider_row = 1)::int AS providers, max(provider_actions)::int AS top,
           array_agg(organisation_id) AS funder_ids, array_agg(unit_price) AS units, array_agg(hours) FILTER (WHERE hours IS NOT NULL) AS hours
      FROM w GROUP BY k
  )
  SELECT ${level.level}, g.k, concat_ws('|', g.category, g.modality, g.year, 'L${level.level}', coalesce(g.certification_code, g.formacode), g.region),
         g.category, g.certification_code, g.formacode, g.modality, g.region, g.year, g.n, g.providers, f.funders,
         round(g.top::numeric / g.n, 4), a.units,
         st.unit_p10, st.unit_q1, st.unit_median, st.unit_q3, st.unit_p90, d.unit_mad,
         coalesce(cardinality(a.hours), 0), st.hours_p10, st.hours_q1, st.hours_median, st.hours_q3, st.hours_p90, d.hours_mad,
         st.log_q1, st.log_q3, greatest(st.log_q3 - st.log_q1, s.log_iqr_floor::float8)
    FROM g CROSS JOIN s
   CROSS JOIN LATERAL (SELECT count(DISTINCT id)::int AS funders FROM unnest(g.funder_ids) id) f
   -- OFFSET 0: each group's arrays are sorted once, not once per quantile read off them
   CROSS JOIN LATERAL (SELECT array_sort(g.units) AS units, array_sort(g.hours) AS hours OFFSET 0) a
   CROSS JOIN LATERAL (
     SELECT sorted_percentile(a.units, 0.1) AS unit_p10, sorted_percentile(a.units, 0.25) AS unit_q1,
            sorted_percentile(a.units, 0.5) AS unit_median, sorted_percentile(a.units, 0.75) AS unit_q3,
            sorted_percentile(a.units, 0.9) AS unit_p90,
            sorted_log_percentile(a.units, 0.25) AS log_q1, sorted_log_percentile(a.units, 0.75) AS log_q3,
            sorted_percentile(a.hours, 0.1) AS hours_p10, sorted_percentile(a.hours, 0.25) AS hours_q1,
            sorted_percentile(a.hours, 0.5) AS hours_median, sorted_percentile(a.hours, 0.75) AS hours_q3,
            sorted_percentile(a.hours, 0.9) AS hours_p90
     OFFSET 0
   ) st
   CROSS JOIN LATERAL (
     SELECT sorted_percentile(array_sort(ARRAY(SELECT abs(u - st.unit_median) FROM unnest(a.units) u)), 0.5) AS unit_mad,
            sorted_percentile(array_sort(ARRAY(SELECT abs(h - st.hours_median) FROM unnest(a.hours) h)), 0.5) AS hours_mad
   ) d
   WHERE g.n >= s.min_actions AND g.providers >= s.min_providers AND g.top::numeric / g.n <= s.max_provider_share
     AND f.funders >= s.min_funders`;
}

/** The run's usable groups become its stored references (only those: an unusable group is never stored). */
export const REFERENCES_SQL = `-- price recompute: references
  INSERT INTO price_references (run_id, level, group_key, category, certification_code, formacode, modality, region, year,
         n, providers, funders, top_provider_share,
         unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad,
         log_q1, log_q3, log_iqr)
  SELECT $1, level, group_key, category, certification_code, formacode, modality, region, year, n, providers, funders, top_provider_share,
         unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad, log_q1, log_q3, log_iqr
    FROM price_level_refs WHERE computed`;

/** Whether a stored reference's group lies in a dirty scope (then this incremental run recomputed it). */
const REFERENCE_DIRTY = `(CASE WHEN r.level <= 2 THEN 'CERTIFICATION' ELSE 'FORMACODE_FAMILY' END, r.category, r.year, coalesce(r.certification_code, left(r.formacode, 3)))
      IN (SELECT scope, category, year, code FROM price_dirty)`;

/**
 * Incremental run: the previous run's references outside the dirty scopes still hold (none of
 * their members changed). They join the run's groups for the scan (`$1`: the previous run)...
 */
export const KEPT_LEVEL_REFS_SQL = `-- price recompute: kept references
  INSERT INTO price_level_refs (level, k, group_key, computed, category, certification_code, formacode, modality, region, year, n, providers, funders,
         top_provider_share, unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad, log_q1, log_q3, log_iqr)
  SELECT r.level, CASE r.level ${LEVELS.map((l) => `WHEN ${l.level} THEN ${l.key('r.')}`).join(' ')} END, r.group_key, false,
         r.category, r.certification_code, r.formacode, r.modality, r.region, r.year, r.n, r.providers, r.funders, r.top_provider_share,
         r.unit_p10, r.unit_q1, r.unit_median, r.unit_q3, r.unit_p90, r.unit_mad,
         r.hours_n, r.hours_p10, r.hours_q1, r.hours_median, r.hours_q3, r.hours_p90, r.hours_mad, r.log_q1, r.log_q3, r.log_iqr
    FROM price_references r
   WHERE r.run_id = $1 AND NOT ${REFERENCE_DIRTY}`;

/** ...and are stored again under the new run, as they were (`$1`: the new run, `$2`: the previous one). */
export const KEPT_REFERENCES_SQL = `-- price recompute: kept references stored
  INSERT INTO price_references (run_id, level, group_key, category, certification_code, formacode, modality, region, year,
         n, providers, funders, top_provider_share,
         unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
         hours_n, hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad,
         log_q1, log_q3, log_iqr)
  SELECT $1, r.level, r.group_key, r.category, r.certification_code, r.formacode, r.modality, r.region, r.year, r.n, r.providers, r.funders,
         r.top_provider_share, r.unit_p10, r.unit_q1, r.unit_median, r.unit_q3, r.unit_p90, r.unit_mad,
         r.hours_n, r.hours_p10, r.hours_q1, r.hours_median, r.hours_q3, r.hours_p90, r.hours_mad, r.log_q1, r.log_q3, r.log_iqr
    FROM price_references r
   WHERE r.run_id = $2 AND NOT ${REFERENCE_DIRTY}`;

/**
 * Incremental run: the sorted prices of the kept groups that a flagged action falls in (its
 * percent rank is read off them), gathered from all their members in one pass over the view.
 */
export const KEPT_UNITS_SQL = `-- price recompute: kept groups' prices
  UPDATE price_level_refs r SET units = g.units
    FROM (
      SELECT g.level, g.group_key, array_sort(array_agg(g.unit_price::float8)) AS units
        FROM action_price_groups g
       WHERE (g.level, g.group_key) IN (SELECT level, group_key FROM price_level_refs WHERE NOT computed AND id IN (SELECT ref_id FROM price_tested))
       GROUP BY 1, 2
    ) g
   WHERE r.level = g.level AND r.group_key = g.group_key`;

/** The actions a group kind flags (the provider kinds and ABOVE_NPEC have their own statements). */
export const TESTED_TABLE_SQL = `-- price recompute: tested table
  CREATE TEMP TABLE price_tested (action_id uuid PRIMARY KEY, ref_id integer NOT NULL, unit_price float8 NOT NULL, kind text NOT NULL) ON COMMIT DROP`;

/**
 * The scan: each computable action against the narrowest usable group that contains it (one pass,
 * the four levels' keys looked up in the run's groups), the flag its log unit price earns against
 * that group's fences. Keeps the flagged actions; answers how many were tested.
 */
export const SCAN_SQL = `-- price recompute: scan
  WITH s AS (SELECT * FROM pricing_settings),
  t AS MATERIALIZED (
    SELECT b.action_id, b.unit_price, coalesce(${LEVELS.map((l) => `r${l.level}.id`).join(', ')}) AS ref_id
      FROM price_base b
      ${LEVELS.map((l) => `LEFT JOIN price_level_refs r${l.level} ON r${l.level}.level = ${l.level} AND r${l.level}.k = CASE WHEN ${l.present('b.')} THEN ${l.key('b.')} END`).join('\n      ')}
     WHERE b.unit_price IS NOT NULL
  ),
  flagged AS (
    INSERT INTO price_tested (action_id, ref_id, unit_price, kind)
    SELECT t.action_id, t.ref_id, t.unit_price, f.kind
      FROM t JOIN price_level_refs r ON r.id = t.ref_id CROSS JOIN s
     CROSS JOIN LATERAL (
       SELECT CASE
                WHEN ln(t.unit_price) > r.log_q3 + s.extreme_fence * r.log_iqr THEN 'PRICE_EXTREME'
                WHEN ln(t.unit_price) > r.log_q3 + s.high_fence * r.log_iqr THEN 'PRICE_HIGH'
                WHEN ln(t.unit_price) < r.log_q1 - s.low_fence * r.log_iqr THEN 'PRICE_LOW'
              END AS kind
     ) f
     WHERE f.kind IS NOT NULL
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM t WHERE ref_id IS NOT NULL)::int AS tested, (SELECT count(*) FROM flagged)::int AS flagged`;

/** What this run flags, every kind alike: the upsert below turns it into anomalies. */
export const FLAGS_TABLE_SQL = `-- price recompute: flags table
  CREATE TEMP TABLE price_flags (
    organisation_id uuid NOT NULL, subject_key text NOT NULL, kind text NOT NULL, action_id uuid,
    provider_siret char(14) NOT NULL, category text NOT NULL, certification_code text, year integer NOT NULL,
    evidence jsonb NOT NULL, level smallint, percent_rank double precision, data_digest text,
    PRIMARY KEY (organisation_id, subject_key)
  ) ON COMMIT DROP`;

/**
 * Group kinds: each flagged action, with its group's statistics as evidence and its percent rank
 * in the group (the share of the group's prices strictly below its own, over n - 1), read off the
 * group's sorted prices by binary search (width_bucket over the negated prices, once per group).
 */
export const GROUP_FLAGS_SQL = `-- price recompute: group flags
  WITH s AS (SELECT * FROM pricing_settings),
  negated AS MATERIALIZED (
    SELECT r.id, ARRAY(SELECT -u FROM unnest(array_reverse(r.units)) u) AS prices
      FROM price_level_refs r WHERE r.id IN (SELECT ref_id FROM price_tested)
  ),
  t AS (
    SELECT t.kind, t.action_id, p.organisation_id, p.provider_siret, p.category, p.certification_code, p.year, p.unit_price, p.data_digest,
           r.level, concat_ws('|', r.category, r.modality, r.year, 'L' || r.level, coalesce(r.certification_code, r.formacode), r.region) AS group_key,
           r.modality, r.certification_code AS group_certification_code, r.formacode AS group_formacode, r.region AS group_region,
           r.n, r.providers, r.funders, r.unit_p10, r.unit_q1, r.unit_median, r.unit_q3, r.unit_p90, r.unit_mad, r.log_iqr,
           (r.n - width_bucket(-t.unit_price, ng.prices))::float8 / (r.n - 1) AS rank,
           exp(r.log_q1 - s.low_fence * r.log_iqr) AS fence_low,
           exp(r.log_q3 + s.high_fence * r.log_iqr) AS fence_high,
           exp(r.log_q3 + s.extreme_fence * r.log_iqr) AS fence_extreme
      FROM price_tested t
      JOIN price_level_refs r ON r.id = t.ref_id
      JOIN negated ng ON ng.id = t.ref_id
      JOIN action_unit_prices p ON p.action_id = t.action_id
     CROSS JOIN s
  )
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
    FROM t`;

/**
 * The provider kinds look at sets (provider, category, certification, year) of at least the
 * minimum of actions: those sets, found by counting (a hash aggregate, no sort), then their actions.
 */
export const PROVIDER_SETS_SQL = `-- price recompute: provider sets
  CREATE TEMP TABLE price_provider_sets ON COMMIT DROP AS
  SELECT b.provider_siret, b.category, b.certification_code, b.year
    FROM price_base b
   WHERE b.certification_code IS NOT NULL AND b.provider_dirty
   GROUP BY 1, 2, 3, 4
  HAVING count(b.unit_price) >= (SELECT disparity_min_actions FROM pricing_settings)
      OR count(*) FILTER (WHERE b.hours > 0 AND b.price_per_trainee IS NOT NULL) >= (SELECT shrink_min_actions FROM pricing_settings)`;

export const PROVIDER_ACTIONS_SQL = `-- price recompute: provider actions
  CREATE TEMP TABLE price_provider_actions ON COMMIT DROP AS
  SELECT b.* FROM price_base b JOIN price_provider_sets USING (provider_siret, category, certification_code, year)`;

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
export const DISPARITY_FLAGS_SQL = `-- price recompute: disparity flags
  WITH s AS (SELECT * FROM pricing_settings),
  own AS (
    SELECT organisation_id, provider_siret, category, certification_code, year, count(*)::int AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY unit_price) AS median
      FROM price_provider_actions WHERE unit_price IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ),
  -- Only the sets whose own side is large enough to count go on to the other funders' side: each
  -- of their actions is joined once per other funder of the set, so joining every set (most have
  -- one or two actions) sorted millions of rows (minutes at 5,000,000 actions).
  candidates AS MATERIALIZED (SELECT o.* FROM own o WHERE o.n >= (SELECT disparity_min_actions FROM pricing_settings)),
  others AS (
    SELECT c.organisation_id, c.provider_siret, c.category, c.certification_code, c.year, c.n AS own_n, c.median AS own_median,
           count(*)::int AS n, count(DISTINCT p.organisation_id)::int AS funders,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY p.unit_price) AS median
      FROM candidates c
      JOIN price_provider_actions p ON p.provider_siret = c.provider_siret AND p.category = c.category AND p.certification_code = c.certification_code
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
export const SHRINK_FLAGS_SQL = `-- price recompute: shrink flags
  WITH s AS (SELECT * FROM pricing_settings),
  p AS (SELECT * FROM price_provider_actions WHERE hours > 0 AND price_per_trainee IS NOT NULL),
  yearly AS (
    SELECT provider_siret, category, certification_code, year, count(*)::int AS n, count(DISTINCT organisation_id)::int AS funders,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_trainee) AS price
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
export function npecFlagsSql(mode: RunMode): string {
  return `-- price recompute: npec flags
  WITH p AS (
    SELECT * FROM action_unit_prices
     WHERE category = 'APPRENTICESHIP' AND unit_price IS NOT NULL AND certification_code LIKE 'RNCP%'
       ${mode === 'full' ? '' : 'AND action_id IN (SELECT action_id FROM price_base)'}
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
}

/** How many apprenticeship actions the NPEC comparison could test (a level applies) or not. */
export const NPEC_COVERAGE_SQL = `-- price recompute: npec coverage
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
export const UPSERT_ANOMALIES_SQL = `-- price recompute: upsert anomalies
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
export function deactivateSql(mode: RunMode): string {
  // An incremental run deactivates only within what it looked at: the actions it scanned, and the
  // provider sets of the dirty certification scopes (and of the year after each).
  const scope = `AND (a.action_id IN (SELECT action_id FROM price_base)
       OR (a.action_id IS NULL AND (a.category, a.year, a.certification_code) IN (
             SELECT category, year, code FROM price_dirty WHERE scope = 'CERTIFICATION'
             UNION SELECT category, year + 1, code FROM price_dirty WHERE scope = 'CERTIFICATION')))`;
  return `-- price recompute: deactivate
  UPDATE price_anomalies a SET active = false, updated_at = now()
   WHERE a.active AND a.status = 'OPEN'
     AND NOT EXISTS (SELECT 1 FROM price_flags f WHERE f.organisation_id = a.organisation_id AND f.subject_key = a.subject_key)
     ${mode === 'full' ? '' : scope}`;
}

/**
 * The test coverage of the run: per kind, actions tested, flagged, not computable, without a
 * usable group, and whether the kind flags more than the suspect share of what it tests.
 */
export const TEST_COVERAGE_SQL = `-- price recompute: test coverage
  WITH s AS (SELECT * FROM pricing_settings),
  counts AS (
    SELECT count(*) FILTER (WHERE unit_price IS NULL)::int AS not_computable, count(unit_price)::int AS computable, $1::int AS tested
      FROM price_base
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
