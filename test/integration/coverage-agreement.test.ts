import { TestDatabase, createTestDatabase } from '@bo/testing';
import { coverageSql, luhnCheckDigit } from '@bo/registry';

/**
 * ONE certification rule: the coverage written on funded actions (set-based: certification_state
 * once per interval between certification_breakpoints, actions joined by date) must equal what
 * certification_state answers for each action on its own (what the funding check asks), on data
 * that exercises every branch: certified, expired on validUntil, not certified, UNKNOWN before any
 * observation, the NDA named / not in the registry, another site of the same SIREN, an NDA taken
 * over (previous NDAs), exemptions by SIREN and by NDA with their bounds, delisted providers.
 */
describe('coverage agrees with certification_state', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const withKey = (body: string) => body + luhnCheckDigit(body);
  const siretOf = (siren: string, n: number) => withKey(siren + String(n).padStart(4, '0'));

  it('gives every action the state certification_state gives it, on every date around every breakpoint', async () => {
    const sirens = ['10000000', '20000000', '30000000', '40000000', '50000000'].map(withKey);
    const providers: { nda: string; siren: string; siret: string; previous?: string[]; listed?: boolean }[] = [
      { nda: '11000000001', siren: sirens[0], siret: siretOf(sirens[0], 1) },
      { nda: '11000000002', siren: sirens[0], siret: siretOf(sirens[0], 2) }, // other site of the same SIREN
      { nda: '22000000009', siren: sirens[1], siret: siretOf(sirens[1], 8), listed: false }, // an NDA taken over...
      { nda: '22000000001', siren: sirens[1], siret: siretOf(sirens[1], 1), previous: ['22000000009'] }, // ...by this one
      { nda: '33000000001', siren: sirens[2], siret: siretOf(sirens[2], 1), listed: false },
      { nda: '44000000001', siren: sirens[3], siret: siretOf(sirens[3], 1) },
    ];
    for (const p of providers) {
      await db.superQuery(`INSERT INTO providers (nda, siren, siret, name, previous_ndas, listed) VALUES ($1, $2, $3, 'P', $4, $5)`, [
        p.nda,
        p.siren,
        p.siret,
        p.previous ?? [],
        p.listed ?? true,
      ]);
    }
    const obs: [string, string, boolean, string, string | null][] = [
      ['11000000001', 'TRAINING', true, '2025-01-10', '2025-06-30'],
      ['11000000001', 'TRAINING', false, '2025-09-01', null],
      ['11000000001', 'TRAINING', true, '2025-09-01', null], // same day: the later id wins
      ['11000000002', 'VAE', true, '2025-03-01', null],
      ['22000000009', 'TRAINING', true, '2024-05-01', '2025-05-01'], // the previous NDA's history carries over
      ['22000000001', 'TRAINING', false, '2025-07-01', null],
      ['33000000001', 'APPRENTICESHIP', true, '2025-02-01', null],
      ['44000000001', 'SKILLS_ASSESSMENT', false, '2025-04-01', null],
    ];
    for (const [nda, category, certified, on, until] of obs) {
      await db.superQuery(
        `INSERT INTO certification_observations (nda, category, certified, observed_on, valid_until, source) VALUES ($1, $2, $3, $4, $5, 'MANUAL')`,
        [nda, category, certified, on, until],
      );
    }
    await db.superQuery(
      `INSERT INTO exemptions (kind, siren, nda, categories, valid_from, valid_until, legal_source) VALUES
         ('HIGHER_EDUCATION', $1, NULL, '{TRAINING,SKILLS_ASSESSMENT}', '2025-03-15', '2025-08-31', 'test'),
         ('NEW_CFA_GRACE', NULL, '33000000001', '{APPRENTICESHIP}', '2024-12-01', NULL, 'test'),
         ('HIGHER_EDUCATION', $2, NULL, '{TRAINING}', '2025-02-01', NULL, 'test')`,
      [sirens[3], sirens[4]],
    );

    // The funder's own notes (a layer beside the shared state, migration 0009): one lifting a
    // shared NOT_CERTIFIED, one with an end of validity.
    const [org] = await db.superQuery<{ id: string }>(`SELECT id FROM organisations WHERE kind = 'FUNDER' ORDER BY code LIMIT 1`);
    await db.superQuery(
      `INSERT INTO certification_notes (organisation_id, nda, category, certified, observed_on, valid_until) VALUES
         ($1, '11000000001', 'TRAINING', false, '2025-04-01', NULL),
         ($1, '44000000001', 'SKILLS_ASSESSMENT', true, '2025-05-01', '2025-10-31')`,
      [org.id],
    );

    // Every breakpoint, the day before it and the day after it, plus far dates.
    const breakpoints = new Set<string>(['2020-01-01', '2030-12-31']);
    const [{ dates }] = await db.superQuery<{ dates: string[] }>(
      `SELECT array_agg(DISTINCT to_char(d + k, 'YYYY-MM-DD')) AS dates
         FROM (SELECT observed_on AS d FROM certification_observations UNION SELECT valid_until + 1 FROM certification_observations
               UNION SELECT valid_from FROM exemptions UNION SELECT valid_until + 1 FROM exemptions
               UNION SELECT observed_on FROM certification_notes UNION SELECT valid_until + 1 FROM certification_notes) b, unnest(ARRAY[-1, 0, 1]) k
        WHERE d IS NOT NULL`,
    );
    dates.forEach((d) => breakpoints.add(d));
    const sites = [
      ...providers.map((p) => ({ siret: p.siret, nda: p.nda })),
      ...providers.map((p) => ({ siret: p.siret, nda: null })),
      { siret: siretOf(sirens[0], 9), nda: null }, // unknown site of a known SIREN: OTHER_SITE
      { siret: siretOf(sirens[0], 9), nda: '99999999999' }, // NDA not in the registry
      { siret: siretOf(sirens[4], 1), nda: null }, // not in the registry, exempt by SIREN
      { siret: siretOf(sirens[1], 1), nda: '11000000002' }, // NDA named at another organisation's SIRET
    ];
    const categories = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'];
    const rows: unknown[][] = [];
    let n = 0;
    for (const site of sites) {
      for (const category of categories) {
        for (const date of breakpoints) {
          n++;
          // Half the actions have a funding decision date; the others fall back to the start date.
          rows.push([`AG-${n}`, site.siret, site.nda, category, n % 2 ? date : null, date]);
        }
      }
    }
    await db.superQuery(
      `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, provider_nda, category, formacode, modality, region,
                                   funding_decision_date, start_date, amount_funded)
       SELECT $1, r, s, n, c, '22252', 'ON_SITE', '84', f::date, d::date, 100
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x(r, s, n, c, f, d)`,
      [org.id, ...[0, 1, 2, 3, 4, 5].map((i) => rows.map((r) => r[i]))],
    );
    const [changed] = await db.superQuery<{ n: number }>(`WITH u AS (${coverageSql('true')}) SELECT count(*)::int AS n FROM u`);
    expect(changed.n).toBe(rows.length);

    const disagreements = await db.superQuery<Record<string, unknown>>(
      `SELECT a.external_ref, a.provider_siret, a.provider_nda, a.category, coalesce(a.funding_decision_date, a.start_date) AS on_date,
              a.coverage, a.coverage_flags, a.coverage_nda, cs.status, cs.flags, cs.nda AS state_nda, ex.kind
         FROM funded_actions a
        CROSS JOIN LATERAL certification_state(a.provider_siret, a.provider_nda, a.category, coalesce(a.funding_decision_date, a.start_date)) cs
         LEFT JOIN exemptions ex ON ex.id = cs.exemption_id
        WHERE a.external_ref LIKE 'AG-%'
          AND (a.coverage IS DISTINCT FROM cs.status
               OR a.coverage_nda IS DISTINCT FROM cs.nda::char(11)
               OR a.coverage_flags IS DISTINCT FROM cs.flags
                    || CASE WHEN a.funding_decision_date IS NULL THEN ARRAY['START_DATE_USED'] ELSE ARRAY[]::text[] END
                    || CASE WHEN ex.kind IS NOT NULL THEN ARRAY['EXEMPTION_' || ex.kind] ELSE ARRAY[]::text[] END)`,
    );
    expect(disagreements).toEqual([]);
    // The own note written on each action is the one certification_own_note answers on its date.
    const noteDisagreements = await db.superQuery<Record<string, unknown>>(
      `SELECT a.external_ref, a.coverage_own_note, a.coverage_own_note_id, own.status, own.note_id
         FROM funded_actions a
         LEFT JOIN LATERAL certification_own_note(a.organisation_id, a.provider_siret, a.provider_nda, a.category, coalesce(a.funding_decision_date, a.start_date)) own ON true
        WHERE a.external_ref LIKE 'AG-%'
          AND (a.coverage_own_note IS DISTINCT FROM own.status OR a.coverage_own_note_id IS DISTINCT FROM own.note_id)`,
    );
    expect(noteDisagreements).toEqual([]);
    const [notes] = await db.superQuery<{ states: string[] }>(
      `SELECT array_agg(DISTINCT coverage_own_note ORDER BY coverage_own_note) AS states FROM funded_actions WHERE external_ref LIKE 'AG-%' AND coverage_own_note IS NOT NULL`,
    );
    expect(notes.states).toEqual(['CERTIFIED', 'NOT_CERTIFIED']);
    // The data reaches every state and flag, so the comparison means something.
    const [seen] = await db.superQuery<{ states: string[]; flags: string[] }>(
      `SELECT array_agg(DISTINCT coverage ORDER BY coverage) AS states,
              (SELECT array_agg(DISTINCT f ORDER BY f) FROM funded_actions, unnest(coverage_flags) f) AS flags
         FROM funded_actions WHERE external_ref LIKE 'AG-%'`,
    );
    expect(seen.states).toEqual(['CERTIFIED', 'EXEMPT', 'NOT_CERTIFIED', 'UNKNOWN']);
    expect(seen.flags).toEqual(
      expect.arrayContaining(['DELISTED', 'EXEMPTION_HIGHER_EDUCATION', 'EXEMPTION_NEW_CFA_GRACE', 'EXPIRED', 'NDA_NOT_IN_REGISTRY', 'NOT_IN_REGISTRY', 'OTHER_SITE', 'START_DATE_USED']),
    );
  });
});
