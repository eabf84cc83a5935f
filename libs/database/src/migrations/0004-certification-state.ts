import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The certification state of an establishment (or of one NDA) for a category on a date, as ONE
 * SQL function, so the API's funding check and the funded-actions coverage job judge the same
 * way (the job can call it set-based, `CROSS JOIN LATERAL certification_state(...)`).
 *
 * Rules (docs/registry.md):
 * - the candidates are the NDA named, else (flag NDA_NOT_IN_REGISTRY when one was named) the NDAs
 *   at the SIRET, else (flag OTHER_SITE) the NDAs of the same SIREN: certification covers all the
 *   sites of an organisation; none at all gives UNKNOWN with the flag NOT_IN_REGISTRY;
 * - per candidate, the latest observation with observed_on <= date wins (ties by id), over the
 *   NDA and its previous NDAs (the history carries over); a certified observation whose
 *   valid_until is before the date counts as not certified (flag EXPIRED);
 * - any candidate certified -> CERTIFIED; else an active exemption for the SIREN or a candidate
 *   NDA and the category -> EXEMPT (an exemption beats "not certified"); else a candidate with an
 *   observation -> NOT_CERTIFIED; else UNKNOWN.
 *
 * Also the UNLOGGED staging table the public-list import COPYs rows into before validating and
 * upserting them in SQL.
 */
export class CertificationState1790000000004 implements MigrationInterface {
  name = 'CertificationState1790000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION certification_state(p_siret text, p_nda text, p_category text, p_date date)
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
             AND (e.nda::text IN (SELECT c.nda FROM candidates c)
                  OR e.siren::text IN (SELECT c.siren FROM candidates c)
                  OR (p_siret IS NOT NULL AND e.siren = left(p_siret, 9)::char(9)))
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

      CREATE UNLOGGED TABLE public_list_staging (
        import_id uuid NOT NULL,
        line integer NOT NULL,
        nda text,
        siren text,
        siret text,
        name text,
        street text,
        postal_code text,
        city text,
        region text,
        previous_ndas text,
        f_training boolean,
        f_skills boolean,
        f_vae boolean,
        f_apprenticeship boolean,
        foreign_body jsonb,
        declared jsonb,
        last_declaration_date date,
        digest text,
        errors jsonb,
        duplicate_of integer,
        PRIMARY KEY (import_id, line)
      );
      CREATE INDEX public_list_staging_nda_idx ON public_list_staging (import_id, nda);
      CREATE INDEX exemptions_nda_idx ON exemptions (nda);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX exemptions_nda_idx;
      DROP TABLE public_list_staging;
      DROP FUNCTION certification_state(text, text, text, date);
    `);
  }
}
