-- Hand-written baseline for the public-list import (official layout: `;`, a trailing `;`, French
-- dates), run in one transaction by `npm run bench -- --import` on the same file as the project's
-- import: COPY into a text staging table, one upsert of the providers (casts and regex filters,
-- the first row of a repeated NDA), one insert of the observations whose flag changed. Bad rows are
-- dropped without a reason; no audit, no delisting. :observed_on is replaced by the bench.
CREATE TEMP TABLE bench_baseline_pl (
  nda text, previous text, name text, siren text, siret text, street text, postal_code text, city text, region text,
  f_training text, f_skills text, f_vae text, f_apprenticeship text,
  fb_name text, fb_street text, fb_postal_code text, fb_city text, fb_country text,
  last_declaration text, period_start text, period_end text, s1 text, l1 text, s2 text, l2 text, s3 text, l3 text,
  trainees text, trainees_other text, trainers text, trailing_empty text
) ON COMMIT DROP;
COPY bench_baseline_pl FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';');
CREATE TEMP TABLE bench_baseline_pl_good ON COMMIT DROP AS
SELECT DISTINCT ON (nda) *
  FROM bench_baseline_pl
 WHERE nda ~ '^[0-9]{11}$' AND siren ~ '^[0-9]{9}$' AND siret ~ '^[0-9]{14}$' AND left(siret, 9) = siren AND name <> ''
   AND coalesce(region, '') ~ '^([0-9]{2})?$' AND coalesce(previous, '') ~ '^([0-9]{11}(,[0-9]{11})*)?$'
   AND (last_declaration IS NULL OR (last_declaration ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' AND pg_input_is_valid((substr(last_declaration, 7, 4) || '-' || substr(last_declaration, 4, 2) || '-' || substr(last_declaration, 1, 2)), 'date')))
   AND (period_start IS NULL OR (period_start ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' AND pg_input_is_valid((substr(period_start, 7, 4) || '-' || substr(period_start, 4, 2) || '-' || substr(period_start, 1, 2)), 'date'))) AND (period_end IS NULL OR (period_end ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$' AND pg_input_is_valid((substr(period_end, 7, 4) || '-' || substr(period_end, 4, 2) || '-' || substr(period_end, 1, 2)), 'date')))
 ORDER BY nda;
ANALYZE bench_baseline_pl_good;
INSERT INTO bench_baseline_providers AS p (nda, siren, siret, name, street, postal_code, city, region, previous_ndas, foreign_body,
                                           declared, last_declaration_date, source_digest)
SELECT nda, siren, siret, name, street, postal_code, city, nullif(region, ''), coalesce(string_to_array(nullif(previous, ''), ','), '{}'),
       CASE WHEN coalesce(fb_name, fb_street, fb_postal_code, fb_city, fb_country) IS NOT NULL THEN
         jsonb_build_object('name', fb_name, 'street', fb_street, 'postalCode', fb_postal_code, 'city', fb_city, 'country', fb_country) END,
       jsonb_build_object('periodStart', (substr(period_start, 7, 4) || '-' || substr(period_start, 4, 2) || '-' || substr(period_start, 1, 2))::date, 'periodEnd', (substr(period_end, 7, 4) || '-' || substr(period_end, 4, 2) || '-' || substr(period_end, 1, 2))::date,
                          'specialities', jsonb_path_query_array(jsonb_build_array(
                             jsonb_build_object('code', s1, 'label', l1), jsonb_build_object('code', s2, 'label', l2),
                             jsonb_build_object('code', s3, 'label', l3)), '$[*] ? (@.code != null)'),
                          'trainees', trainees::int, 'traineesFromOtherProviders', trainees_other::int, 'trainers', trainers::int),
       (substr(last_declaration, 7, 4) || '-' || substr(last_declaration, 4, 2) || '-' || substr(last_declaration, 1, 2))::date,
       md5(concat_ws('|', siren, siret, name, street, postal_code, city, region, previous, fb_name, fb_street, fb_postal_code, fb_city,
                     fb_country, last_declaration, period_start, period_end, s1, l1, s2, l2, s3, l3, trainees, trainees_other, trainers))
  FROM bench_baseline_pl_good
ON CONFLICT (nda) DO UPDATE SET
  siren = EXCLUDED.siren, siret = EXCLUDED.siret, name = EXCLUDED.name, street = EXCLUDED.street, postal_code = EXCLUDED.postal_code,
  city = EXCLUDED.city, region = EXCLUDED.region, previous_ndas = EXCLUDED.previous_ndas, foreign_body = EXCLUDED.foreign_body,
  declared = EXCLUDED.declared, last_declaration_date = EXCLUDED.last_declaration_date, source_digest = EXCLUDED.source_digest,
  updated_at = now()
WHERE p.source_digest IS DISTINCT FROM EXCLUDED.source_digest;
INSERT INTO bench_baseline_observations (nda, category, certified, observed_on, source)
SELECT g.nda, v.category, v.certified, :observed_on::date, 'PUBLIC_LIST'
  FROM bench_baseline_pl_good g
 CROSS JOIN LATERAL (VALUES ('TRAINING', g.f_training::boolean), ('SKILLS_ASSESSMENT', g.f_skills::boolean),
                            ('VAE', g.f_vae::boolean), ('APPRENTICESHIP', g.f_apprenticeship::boolean)) v(category, certified)
  LEFT JOIN (SELECT DISTINCT ON (o.nda, o.category) o.nda, o.category, o.certified FROM bench_baseline_observations o
              ORDER BY o.nda, o.category, o.observed_on DESC, o.id DESC) c ON c.nda = g.nda AND c.category = v.category
 WHERE v.certified IS NOT NULL AND c.certified IS DISTINCT FROM v.certified;
