import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `certification_state` (migration 0004) with the same rule, but its exemption look-up on the
 * indexes: 0004 compared `e.nda::text` and `e.siren::text` with the candidates, and the casts kept
 * exemptions_nda_idx and exemptions_siren_idx out, so every call read the whole exemptions table
 * (1,500 rows: 5 ms a call, 5 s for a bulk funding check of 1,000 questions). Comparing the
 * columns in their own type (char) with arrays of the candidates lets PostgreSQL OR two index
 * scans. Nothing else changes: same candidates, same ordering, same answer.
 */
const OLD_EXEMPTION_CONDITION = `
             AND (e.nda::text IN (SELECT c.nda FROM candidates c)
                  OR e.siren::text IN (SELECT c.siren FROM candidates c)
                  OR (p_siret IS NOT NULL AND e.siren = left(p_siret, 9)::char(9)))`;

const NEW_EXEMPTION_CONDITION = `
             AND (e.nda = ANY (ARRAY(SELECT c.nda FROM candidates c)::char(11)[])
                  OR e.siren = ANY (ARRAY(SELECT c.siren FROM candidates c)::char(9)[])
                  OR (p_siret IS NOT NULL AND e.siren = left(p_siret, 9)::char(9)))`;

const definition = (exemptionOf: string) => `
      CREATE OR REPLACE FUNCTION certification_state(p_siret text, p_nda text, p_category text, p_date date)
      RETURNS TABLE (status text, nda text, observation_id bigint, exemption_id uuid, flags text[])
      LANGUAGE sql STABLE AS $fn$
        WITH named AS (
          SELECT p.nda::text AS nda, p.siren::text AS siren, p.previous_ndas, p.listed
            FROM providers p
           WHERE p_nda IS NOT NULL AND p.nda = p_nda::char(11)
        ),
        direct AS (
          SELECT * FROM named
          UNION ALL
          SELECT p.nda::text, p.siren::text, p.previous_ndas, p.listed
            FROM providers p
           WHERE NOT EXISTS (SELECT 1 FROM named) AND p_siret IS NOT NULL AND p.siret = p_siret::char(14)
        ),
        candidates AS (
          SELECT d.*, false AS other_site FROM direct d
          UNION ALL
          SELECT p.nda::text, p.siren::text, p.previous_ndas, p.listed, true
            FROM providers p
           WHERE NOT EXISTS (SELECT 1 FROM direct) AND p_siret IS NOT NULL
             AND p.siren = left(p_siret, 9)::char(9)
        ),
        latest AS (
          SELECT c.nda, c.other_site, c.listed, o.id AS obs_id, o.observed_on,
                 coalesce(o.certified AND (o.valid_until IS NULL OR o.valid_until >= p_date), false) AS certified,
                 coalesce(o.certified AND o.valid_until < p_date, false) AS expired
            FROM candidates c
            LEFT JOIN LATERAL (
              SELECT co.id, co.certified, co.valid_until, co.observed_on
                FROM certification_observations co
               WHERE co.nda = ANY (array_prepend(c.nda, c.previous_ndas)::char(11)[])
                 AND co.category = p_category AND co.observed_on <= p_date
               ORDER BY co.observed_on DESC, co.id DESC
               LIMIT 1
            ) o ON true
        ),
        exemption AS (
          SELECT e.id, e.nda::text AS nda
            FROM exemptions e
           WHERE p_category = ANY (e.categories)
             AND e.valid_from <= p_date AND (e.valid_until IS NULL OR e.valid_until >= p_date)
${exemptionOf.trim()}
           ORDER BY e.valid_from DESC, e.id
           LIMIT 1
        ),
        best AS (
          SELECT * FROM latest
           ORDER BY certified DESC, (obs_id IS NOT NULL) DESC, observed_on DESC NULLS LAST, obs_id DESC NULLS LAST, nda
           LIMIT 1
        )
        SELECT
          CASE WHEN b.certified THEN 'CERTIFIED'
               WHEN x.id IS NOT NULL THEN 'EXEMPT'
               WHEN b.obs_id IS NOT NULL THEN 'NOT_CERTIFIED'
               ELSE 'UNKNOWN' END AS status,
          CASE WHEN b.certified OR x.id IS NULL THEN b.nda ELSE coalesce(x.nda, b.nda) END AS nda,
          CASE WHEN b.certified OR x.id IS NULL THEN b.obs_id END AS observation_id,
          CASE WHEN NOT coalesce(b.certified, false) THEN x.id END AS exemption_id,
          array_remove(ARRAY[
            CASE WHEN b.nda IS NULL THEN 'NOT_IN_REGISTRY' END,
            CASE WHEN b.other_site THEN 'OTHER_SITE' END,
            CASE WHEN p_nda IS NOT NULL AND NOT EXISTS (SELECT 1 FROM named) THEN 'NDA_NOT_IN_REGISTRY' END,
            CASE WHEN NOT coalesce(b.certified, false) AND b.expired THEN 'EXPIRED' END,
            CASE WHEN b.nda IS NOT NULL AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.listed) THEN 'DELISTED' END
          ], NULL) AS flags
          FROM (SELECT 1) one
          LEFT JOIN best b ON true
          LEFT JOIN exemption x ON true
      $fn$;
`;

export class CertificationStateIndexes1790000000020 implements MigrationInterface {
  name = 'CertificationStateIndexes1790000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(definition(NEW_EXEMPTION_CONDITION));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(definition(OLD_EXEMPTION_CONDITION));
  }
}
