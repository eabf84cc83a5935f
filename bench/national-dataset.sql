-- A data set of national shape for the API latency benchmark (bench/api-latency.mjs), generated
-- set-based: 150,000 providers (120,000 organisations, one in four with a second site, valid Luhn
-- keys), their certification history, 1,500 exemptions, 1,000,000 funded actions of 10 funders,
-- 20,000 quality checks (cloned from a template check the API created: :template), 6,000 open
-- major non-conformities, 5,000 blocked payments, 2,000 imports. Run as the owner role.

CREATE FUNCTION pg_temp.luhn(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT body || ((10 - sum(CASE WHEN i % 2 = 1 THEN (CASE WHEN d * 2 > 9 THEN d * 2 - 9 ELSE d * 2 END) ELSE d END) % 10) % 10)::text
    FROM (SELECT substr(reverse(body), i, 1)::int AS d, i FROM generate_series(1, length(body)) i) x
$$;

CREATE TEMP TABLE bench_orgs AS
  SELECT id, row_number() OVER (ORDER BY code = 'OPCO-ATLAS' DESC, code) - 1 AS k
    FROM organisations WHERE kind = 'FUNDER' ORDER BY code = 'OPCO-ATLAS' DESC, code LIMIT 10;

-- Providers: in each group of five, four organisations; the fifth is the fourth's second site.
BEGIN;

INSERT INTO providers (nda, siren, siret, name, city, region, last_declaration_date, listed, declared)
SELECT lpad((11000000000 + n)::text, 11, '0'), siren, pg_temp.luhn(siren || lpad(site::text, 4, '0')),
       (ARRAY['ORGANISME', 'INSTITUT', 'CENTRE', 'ACADEMIE', 'ATELIER'])[1 + n % 5] || ' ' ||
       (ARRAY['FORMATION', 'COMPETENCES', 'CONSEIL', 'METIERS', 'LANGUES', 'NUMERIQUE', 'SANTE', 'BATIMENT'])[1 + (n / 5) % 8] || ' ' || n,
       'Ville ' || (n % 900), (ARRAY['84', '11', '93', '44', '75', '76', '32', '28', '53', '52', '24', '27', '94'])[1 + n % 13],
       DATE '2024-01-01' + (n % 600), n % 40 <> 0, '{"training": true}'
  FROM (SELECT n, pg_temp.luhn(lpad((10000000 + (n - 1) / 5 * 4 + least((n - 1) % 5, 3))::text, 8, '0')) AS siren,
               CASE WHEN (n - 1) % 5 = 4 THEN 2 ELSE 1 END AS site
          FROM generate_series(1, 150000) n) g;

-- Certification history: TRAINING for every provider (80% certified), an older observation for
-- half of them, APPRENTICESHIP for 30%; some certificates expired.
INSERT INTO certification_observations (nda, category, certified, observed_on, valid_until, source, certifier)
SELECT nda, 'TRAINING', h % 5 <> 0, DATE '2023-01-01' + (h % 700), CASE WHEN h % 17 = 0 THEN DATE '2025-06-30' END, 'PUBLIC_LIST', 'AFNOR'
  FROM (SELECT nda, abs(hashtext(nda)) AS h FROM providers) p;
INSERT INTO certification_observations (nda, category, certified, observed_on, source, certifier)
SELECT nda, 'TRAINING', true, DATE '2021-06-01' + (h % 300), 'PUBLIC_LIST', 'BUREAU VERITAS'
  FROM (SELECT nda, abs(hashtext(nda || 'old')) AS h FROM providers) p WHERE h % 2 = 0;
INSERT INTO certification_observations (nda, category, certified, observed_on, source, certifier)
SELECT nda, 'APPRENTICESHIP', h % 4 <> 0, DATE '2023-03-01' + (h % 600), 'PUBLIC_LIST', 'AFNOR'
  FROM (SELECT nda, abs(hashtext(nda || 'cfa')) AS h FROM providers) p WHERE h % 10 < 3;

INSERT INTO exemptions (kind, siren, categories, valid_from, legal_source)
SELECT 'HIGHER_EDUCATION', siren, '{TRAINING,SKILLS_ASSESSMENT,VAE}', DATE '2022-01-01', 'Code du travail L.6316-4 II'
  FROM (SELECT DISTINCT siren FROM providers WHERE right(nda, 2) = '07') s LIMIT 1500;

-- 1,000,000 funded actions, 100,000 per funder, spread over the providers.
INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, provider_nda, category, formacode, modality, region,
                            start_date, amount_funded, coverage, payment_blocked, payment_block_reason)
SELECT o.id, 'FA-' || lpad(i::text, 8, '0'), p.siret, p.nda,
       (ARRAY['TRAINING', 'TRAINING', 'TRAINING', 'APPRENTICESHIP', 'SKILLS_ASSESSMENT', 'VAE'])[1 + i % 6], '22252',
       (ARRAY['ON_SITE', 'REMOTE', 'BLENDED'])[1 + i % 3], coalesce(p.region, '84'), DATE '2024-01-01' + (i % 700), 500 + (i % 50) * 100,
       (ARRAY['CERTIFIED', 'CERTIFIED', 'CERTIFIED', 'NOT_CERTIFIED', 'EXEMPT', 'UNKNOWN'])[1 + i % 6],
       i % 200 = 0, CASE WHEN i % 200 = 0 THEN 'SF-07' END
  FROM generate_series(1, 1000000) i
  JOIN bench_orgs o ON o.k = i % 10
  JOIN providers p ON p.nda = lpad((11000000000 + 1 + abs(hashtext(i::text || 'a')) % 150000)::text, 11, '0');

-- 20,000 checks, 2,000 per funder, cloned from the template (framework, scope).
INSERT INTO checks (organisation_id, provider_siret, provider_nda, method, framework_id, scope_context, scope, state, outcome,
                    completed_at, created_at, updated_at, region)
SELECT o.id, p.siret, p.nda, t.method, t.framework_id, t.scope_context, t.scope,
       CASE WHEN i % 4 = 0 THEN 'COMPLETED' WHEN i % 4 = 1 THEN 'NOTIFIED' ELSE 'DRAFT' END,
       CASE WHEN i % 4 = 0 THEN 'NON_COMPLIANT' END, CASE WHEN i % 4 = 0 THEN now() END,
       now() - (i || ' minutes')::interval, now(), p.region
  FROM generate_series(1, 20000) i
  JOIN bench_orgs o ON o.k = i % 10
  JOIN providers p ON p.nda = lpad((11000000000 + 1 + abs(hashtext(i::text || 'c')) % 150000)::text, 11, '0')
  CROSS JOIN (SELECT * FROM checks WHERE id = '__TEMPLATE__') t;

INSERT INTO corrective_actions (check_id, organisation_id, revision, point_code, grade, description, due_at)
SELECT id, organisation_id, 1, (1 + n % 32)::text, 'MAJOR_NC', 'Non-conformité majeure', now() + ((n % 120) - 30 || ' days')::interval
  FROM (SELECT id, organisation_id, row_number() OVER (ORDER BY id) AS n FROM checks WHERE state = 'COMPLETED') c
 WHERE n <= 6000;

INSERT INTO imports (organisation_id, kind, status, file_sha256, file_size, created_by, created_at, started_at, finished_at, counts)
SELECT o.id, 'ACTIONS', 'SUCCEEDED', md5(i::text) || md5(i::text), 1000000, 'bench', now() - (i || ' hours')::interval,
       now() - (i || ' hours')::interval, now() - (i || ' hours')::interval + interval '30 seconds', '{"accepted": 1000}'
  FROM generate_series(1, 2000) i JOIN bench_orgs o ON o.k = i % 10;

COMMIT;
ANALYZE;
