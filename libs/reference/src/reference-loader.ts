import { Tx } from '@bo/database';
import { RNQ, organisationSeeds, referenceDigest } from './reference-data';

export interface ReferenceLoadResult {
  skipped: boolean;
  organisations: number;
  indicators: number;
}

/**
 * Upserts the reference organisations and the RNQ framework. Set-based: one statement per table,
 * fed with the whole file as JSON. Skips when the same bytes were already loaded (unless forced),
 * so a reload of unchanged files changes nothing.
 */
export async function loadReferenceData(tx: Tx, force = false): Promise<ReferenceLoadResult> {
  const digest = referenceDigest();
  const seeds = organisationSeeds();
  const previous = await tx.one<{ sha256: string }>(`SELECT sha256 FROM reference_loads WHERE name = 'reference'`);
  if (!force && previous?.sha256 === digest) {
    return { skipped: true, organisations: 0, indicators: 0 };
  }
  const orgs = await tx.query(
    `INSERT INTO organisations (code, kind, funder_kind, name, region)
     SELECT s.code, s.kind, s."funderKind", s.name, s.region
       FROM jsonb_to_recordset($1::jsonb) AS s(code text, kind text, "funderKind" text, name text, region text)
     ON CONFLICT (code) DO UPDATE
        SET name = EXCLUDED.name, kind = EXCLUDED.kind, funder_kind = EXCLUDED.funder_kind,
            region = EXCLUDED.region, updated_at = now()
      WHERE (organisations.name, organisations.kind, organisations.funder_kind, organisations.region)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.funder_kind, EXCLUDED.region)
     RETURNING code`,
    [JSON.stringify(seeds)],
  );
  const [framework] = await tx.query<{ id: string }>(
    `INSERT INTO frameworks (code, version, title, kind, grading, source)
     VALUES ('RNQ', 1, 'Référentiel national qualité (Qualiopi)', 'RNQ',
             '["COMPLIANT","MINOR_NC","MAJOR_NC","NOT_APPLICABLE"]'::jsonb, $1)
     ON CONFLICT (code, version) WHERE organisation_id IS NULL DO UPDATE SET source = EXCLUDED.source
     RETURNING id`,
    [RNQ.source],
  );
  const points = RNQ.indicators.map((i) => ({
    code: String(i.number),
    position: i.number,
    groupCode: String(i.criterion),
    title: i.title_fr,
    rules: {
      appliesTo: i.applies_to,
      certifyingOnly: i.certifying_actions_only,
      cfaOnly: i.cfa_only,
      conditionalOn: i.conditional_on,
      majorOnly: i.nc_major_only,
      newEntrantAdapted: i.new_entrant_adapted_audit,
      titleEn: i.title_en,
      notes: i.notes,
    },
  }));
  const indicators = await tx.query(
    `INSERT INTO framework_points (framework_id, code, position, group_code, title, rules)
     SELECT $1, p.code, p.position, p."groupCode", p.title, p.rules
       FROM jsonb_to_recordset($2::jsonb) AS p(code text, position int, "groupCode" text, title text, rules jsonb)
     ON CONFLICT (framework_id, code) DO UPDATE
        SET position = EXCLUDED.position, group_code = EXCLUDED.group_code, title = EXCLUDED.title, rules = EXCLUDED.rules
      WHERE (framework_points.position, framework_points.group_code, framework_points.title, framework_points.rules)
            IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.group_code, EXCLUDED.title, EXCLUDED.rules)
     RETURNING code`,
    [framework.id, JSON.stringify(points)],
  );
  await tx.query(
    `INSERT INTO reference_loads (name, sha256, rows) VALUES ('reference', $1, $2)
     ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, loaded_at = now()`,
    [digest, seeds.length + points.length],
  );
  return { skipped: false, organisations: orgs.length, indicators: indicators.length };
}
