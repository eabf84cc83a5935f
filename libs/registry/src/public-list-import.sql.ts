import type { Tx } from '@bo/database';

/** What an import reports. `changes` is 0 when the same file is imported again. */
export interface PublicListImportCounts {
  lines: number;
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  unchanged: number;
  delisted: number;
  observations: number;
  changes: number;
}

/**
 * Validates across rows and applies the staged rows of one import, set-based, in the caller's
 * transaction (system role: providers are platform-wide reference data):
 * 1. a repeated NDA keeps its first row, the later ones become line errors;
 * 2. line errors are stored;
 * 3. providers are upserted; a row whose content digest did not change is not touched;
 * 4. a certification observation is added only where a list flag differs from the latest
 *    observation the list gave for that NDA and category (an empty flag records nothing);
 * 5. in FULL mode, a listed provider absent from the file is marked delisted.
 * Returns the counts and the digest of the affected NDAs (sorted) for the audit event.
 */
export async function applyPublicListStaging(
  tx: Tx,
  input: { importId: string; organisationId: string; mode: 'FULL' | 'DELTA'; observedOn: string },
): Promise<{ counts: PublicListImportCounts; affected: number; affectedDigest: string }> {
  const { importId, organisationId } = input;
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS _public_list_affected (nda text NOT NULL) ON COMMIT DROP`);
  await tx.query(`DELETE FROM import_errors WHERE import_id = $1`, [importId]);
  await tx.query(
    `UPDATE public_list_staging s SET duplicate_of = d.first_line
       FROM (SELECT line, min(line) OVER (PARTITION BY nda) AS first_line
               FROM public_list_staging WHERE import_id = $1 AND errors IS NULL) d
      WHERE s.import_id = $1 AND s.line = d.line AND d.line <> d.first_line`,
    [importId],
  );
  await tx.query(
    `INSERT INTO import_errors (import_id, organisation_id, line, field, reason)
     SELECT $1::uuid, $2::uuid, s.line, e->>'field', e->>'reason'
       FROM public_list_staging s CROSS JOIN LATERAL jsonb_array_elements(s.errors) e
      WHERE s.import_id = $1 AND s.errors IS NOT NULL
     UNION ALL
     SELECT $1::uuid, $2::uuid, s.line, 'numeroDeclarationActivite',
            'NDA ' || s.nda || ' repeats the one on line ' || s.duplicate_of || ' (the first row is kept)'
       FROM public_list_staging s
      WHERE s.import_id = $1 AND s.duplicate_of IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [importId, organisationId],
  );
  const [upsert] = await tx.query<{ inserted: string; updated: string }>(
    `WITH up AS (
       INSERT INTO providers AS p (nda, siren, siret, name, street, postal_code, city, region, previous_ndas, foreign_body,
                                   declared, last_declaration_date, listed, delisted_at, source_digest)
       SELECT s.nda, s.siren, s.siret, s.name, s.street, s.postal_code, s.city, s.region,
              coalesce(string_to_array(nullif(s.previous_ndas, ''), ','), '{}'), s.foreign_body, s.declared,
              s.last_declaration_date, true, NULL, s.digest
         FROM public_list_staging s
        WHERE s.import_id = $1 AND s.errors IS NULL AND s.duplicate_of IS NULL
       ON CONFLICT (nda) DO UPDATE SET
              siren = EXCLUDED.siren, siret = EXCLUDED.siret, name = EXCLUDED.name, street = EXCLUDED.street,
              postal_code = EXCLUDED.postal_code, city = EXCLUDED.city, region = EXCLUDED.region,
              previous_ndas = EXCLUDED.previous_ndas, foreign_body = EXCLUDED.foreign_body, declared = EXCLUDED.declared,
              last_declaration_date = EXCLUDED.last_declaration_date, listed = true, delisted_at = NULL,
              source_digest = EXCLUDED.source_digest, updated_at = now()
        WHERE p.source_digest IS DISTINCT FROM EXCLUDED.source_digest OR NOT p.listed
       RETURNING p.nda, (xmax = 0) AS inserted
     ), affected AS (INSERT INTO _public_list_affected SELECT nda FROM up)
     SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`,
    [importId],
  );
  const [observations] = await tx.query<{ n: string }>(
    `WITH flags AS (
       SELECT s.nda::char(11) AS nda, v.category, v.certified
         FROM public_list_staging s
         CROSS JOIN LATERAL (VALUES ('TRAINING', s.f_training), ('SKILLS_ASSESSMENT', s.f_skills),
                                    ('VAE', s.f_vae), ('APPRENTICESHIP', s.f_apprenticeship)) v(category, certified)
        WHERE s.import_id = $1 AND s.errors IS NULL AND s.duplicate_of IS NULL AND v.certified IS NOT NULL
     ), current AS (
       SELECT DISTINCT ON (o.nda, o.category) o.nda, o.category, o.certified
         FROM certification_observations o
        WHERE o.source = 'PUBLIC_LIST'
        ORDER BY o.nda, o.category, o.observed_on DESC, o.id DESC
     ), ins AS (
       INSERT INTO certification_observations (nda, category, certified, observed_on, source, import_id)
       SELECT f.nda, f.category, f.certified, $2::date, 'PUBLIC_LIST', $1::uuid
         FROM flags f LEFT JOIN current c ON c.nda = f.nda AND c.category = f.category
        WHERE c.certified IS DISTINCT FROM f.certified
       RETURNING nda
     ), affected AS (INSERT INTO _public_list_affected SELECT nda FROM ins)
     SELECT count(*) AS n FROM ins`,
    [importId, input.observedOn],
  );
  let delisted = 0;
  if (input.mode === 'FULL') {
    // A file without a single accepted row delists nobody: it is a broken file, not an empty list.
    const [row] = await tx.query<{ n: string }>(
      `WITH gone AS (
         UPDATE providers p SET listed = false, delisted_at = now(), updated_at = now()
          WHERE p.listed
            AND EXISTS (SELECT 1 FROM public_list_staging s WHERE s.import_id = $1 AND s.errors IS NULL)
            AND NOT EXISTS (SELECT 1 FROM public_list_staging s WHERE s.import_id = $1 AND s.nda = p.nda::text)
         RETURNING p.nda
       ), affected AS (INSERT INTO _public_list_affected SELECT nda FROM gone)
       SELECT count(*) AS n FROM gone`,
      [importId],
    );
    delisted = Number(row.n);
  }
  const [totals] = await tx.query<{ lines: string; accepted: string }>(
    `SELECT count(*) AS lines, count(*) FILTER (WHERE errors IS NULL AND duplicate_of IS NULL) AS accepted
       FROM public_list_staging WHERE import_id = $1`,
    [importId],
  );
  const [affected] = await tx.query<{ n: string; digest: string }>(
    `SELECT count(*) AS n,
            encode(sha256(convert_to(coalesce(string_agg(nda, E'\\n' ORDER BY nda COLLATE "C"), ''), 'UTF8')), 'hex') AS digest
       FROM (SELECT DISTINCT nda::text AS nda FROM _public_list_affected) a`,
  );
  await tx.query(`DROP TABLE _public_list_affected`);
  const inserted = Number(upsert.inserted);
  const updated = Number(upsert.updated);
  const accepted = Number(totals.accepted);
  const obs = Number(observations.n);
  const counts: PublicListImportCounts = {
    lines: Number(totals.lines),
    accepted,
    rejected: Number(totals.lines) - accepted,
    inserted,
    updated,
    unchanged: accepted - inserted - updated,
    delisted,
    observations: obs,
    changes: inserted + updated + delisted + obs,
  };
  return { counts, affected: Number(affected.n), affectedDigest: affected.digest };
}
