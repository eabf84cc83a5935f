-- Hand-written baseline of the price recompute (bench/pricing.mjs): for each ladder level, one
-- aggregate computing the statistics the project stores for its usable groups (n, providers,
-- funders, the largest provider's share, unit and hours quantiles P10..P90, MAD of both, the
-- quartiles of ln(unit)), written into a table so that every column is really computed. The
-- benchmark runs each level's statement in turn and sums their times. :LEVEL_KEYS is replaced by
-- the level's key expressions and :LEVEL_FILTER by its "keys present" condition.
CREATE TEMP TABLE baseline_level AS
WITH m AS (
  SELECT concat_ws('|', category, modality, year, :LEVEL_KEYS) AS group_key, provider_siret, organisation_id,
         unit_price::float8 AS unit, hours::float8 AS hours
    FROM action_unit_prices
   WHERE unit_price IS NOT NULL AND :LEVEL_FILTER
),
per_provider AS (SELECT group_key, provider_siret, count(*) AS c FROM m GROUP BY 1, 2),
top_provider AS (SELECT group_key, max(c) AS top FROM per_provider GROUP BY 1),
stats AS (
  SELECT group_key, count(*) AS n, count(DISTINCT provider_siret) AS providers, count(DISTINCT organisation_id) AS funders,
         percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY unit) AS u,
         percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY ln(unit)) AS lq,
         count(hours) AS hours_n,
         percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY hours) AS h
    FROM m GROUP BY group_key
),
usable AS (
  SELECT s.*, t.top::float8 / s.n AS top_share FROM stats s JOIN top_provider t USING (group_key)
   WHERE s.n >= 8 AND s.providers >= 3 AND s.funders >= 3 AND t.top::float8 / s.n <= 0.6
),
deviations AS (
  SELECT m.group_key,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.unit - u.u[3])) AS unit_mad,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.hours - u.h[3])) AS hours_mad
    FROM m JOIN usable u USING (group_key)
   GROUP BY m.group_key
)
SELECT u.*, d.unit_mad, d.hours_mad FROM usable u JOIN deviations d USING (group_key);
