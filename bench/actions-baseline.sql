-- Hand-written baseline for the funded-actions import, run in one transaction by
-- `npm run bench -- --import` on the same file as the project's import: COPY into a text staging
-- table, then ONE INSERT ... ON CONFLICT with casts and regex filters. It drops bad rows without
-- saying why, evaluates no coverage and writes no audit: it is the floor the import is held to.
-- Optional columns (NDA, certification code or Formacode, decision and end dates, hours, trainees,
-- price, IDCC) may be empty, which COPY's CSV format reads as NULL: the filters accept both.
-- :organisation_id is replaced by the bench with a quoted literal.
CREATE TEMP TABLE bench_baseline_staging (
  external_ref text, provider_siret text, provider_nda text, category text, certification_code text, formacode text,
  modality text, region text, funding_decision_date text, start_date text, end_date text, hours_per_trainee text,
  trainees text, price_excl_vat text, amount_funded text, branch_idcc text
) ON COMMIT DROP;
COPY bench_baseline_staging FROM STDIN WITH (FORMAT csv, HEADER true);
INSERT INTO bench_baseline_actions AS f (organisation_id, external_ref, provider_siret, provider_nda, category, certification_code,
  formacode, modality, region, funding_decision_date, start_date, end_date, hours_per_trainee, trainees, price_excl_vat,
  amount_funded, branch_idcc)
SELECT DISTINCT ON (external_ref) :organisation_id::uuid, external_ref, provider_siret, nullif(provider_nda, ''), category,
       nullif(certification_code, ''), nullif(formacode, ''), modality, region, nullif(funding_decision_date, '')::date,
       start_date::date, nullif(end_date, '')::date, nullif(hours_per_trainee, '')::numeric, nullif(trainees, '')::int,
       nullif(price_excl_vat, '')::numeric, amount_funded::numeric, nullif(branch_idcc, '')
  FROM bench_baseline_staging
 WHERE external_ref <> ''
   AND provider_siret ~ '^[0-9]{14}$'
   AND coalesce(provider_nda, '') ~ '^([0-9]{11})?$'
   AND category IN ('TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP')
   AND (coalesce(certification_code, '') <> '' OR coalesce(formacode, '') <> '')
   AND coalesce(certification_code, '') ~ '^(RNCP[0-9]{2,5}(BC[0-9]{2})?|RS[0-9]{1,5})?$'
   AND coalesce(formacode, '') ~ '^([0-9]{5})?$'
   AND modality IN ('ON_SITE', 'REMOTE', 'BLENDED')
   AND region ~ '^[0-9]{2}$'
   AND coalesce(funding_decision_date, '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'
   AND start_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
   AND coalesce(end_date, '') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$' AND (end_date IS NULL OR end_date = '' OR end_date >= start_date)
   AND coalesce(hours_per_trainee, '') ~ '^([0-9]{1,8}([.][0-9]{1,2})?)?$'
   AND coalesce(trainees, '') ~ '^([0-9]{1,9})?$'
   AND coalesce(price_excl_vat, '') ~ '^([0-9]{1,12}([.][0-9]{1,2})?)?$'
   AND amount_funded ~ '^[0-9]{1,12}([.][0-9]{1,2})?$'
   AND coalesce(branch_idcc, '') ~ '^([0-9]{1,4})?$'
 ORDER BY external_ref
ON CONFLICT (organisation_id, external_ref) DO UPDATE SET
  provider_siret = EXCLUDED.provider_siret, provider_nda = EXCLUDED.provider_nda, category = EXCLUDED.category,
  certification_code = EXCLUDED.certification_code, formacode = EXCLUDED.formacode, modality = EXCLUDED.modality,
  region = EXCLUDED.region, funding_decision_date = EXCLUDED.funding_decision_date, start_date = EXCLUDED.start_date,
  end_date = EXCLUDED.end_date, hours_per_trainee = EXCLUDED.hours_per_trainee, trainees = EXCLUDED.trainees,
  price_excl_vat = EXCLUDED.price_excl_vat, amount_funded = EXCLUDED.amount_funded, branch_idcc = EXCLUDED.branch_idcc,
  version = f.version + 1, updated_at = now()
WHERE (f.provider_siret, f.provider_nda, f.category, f.certification_code, f.formacode, f.modality, f.region,
       f.funding_decision_date, f.start_date, f.end_date, f.hours_per_trainee, f.trainees, f.price_excl_vat,
       f.amount_funded, f.branch_idcc)
      IS DISTINCT FROM
      (EXCLUDED.provider_siret, EXCLUDED.provider_nda, EXCLUDED.category, EXCLUDED.certification_code, EXCLUDED.formacode,
       EXCLUDED.modality, EXCLUDED.region, EXCLUDED.funding_decision_date, EXCLUDED.start_date, EXCLUDED.end_date,
       EXCLUDED.hours_per_trainee, EXCLUDED.trainees, EXCLUDED.price_excl_vat, EXCLUDED.amount_funded, EXCLUDED.branch_idcc);
