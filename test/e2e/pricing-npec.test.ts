import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login, orgId } from '../support/fixtures';
import { newSiren, siretOf } from '../support/actions-fixtures';

/** Apprenticeship funding levels (NPEC) loaded from CSV, and ABOVE_NPEC anomalies against them. */
describe('price adequacy: apprenticeship funding levels (NPEC)', () => {
  let t: TestApp;
  let platform: string, manager: string;
  let seq = 0;

  const upload = (csv: string, token = platform) =>
    t.http.post('/api/v1/price-references/npec').set('authorization', `Bearer ${token}`).attach('file', Buffer.from(csv, 'utf8'), 'npec.csv');

  /** One apprentice from 2025-09-01 to 2027-09-01: 730 days, 1.9986 contract-years (days / 365.25). */
  async function apprenticeship(funder: string, price: number, branch: string | null): Promise<string> {
    const [row] = await t.db.superQuery<{ id: string }>(
      `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, modality, region,
              start_date, end_date, trainees, price_excl_vat, amount_funded, branch_idcc)
       VALUES ($1, $2, $3, 'APPRENTICESHIP', 'RNCP35341', 'ON_SITE', '84', '2025-09-01', '2027-09-01', 1, $4, $4, $5) RETURNING id`,
      [funder, `A-${seq++}`, siretOf(newSiren()), price, branch],
    );
    return row.id;
  }

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    platform = await login(t.http, await createUser(t.db, 'PLATFORM', ['platform_admin']));
    manager = await login(t.http, await createUser(t.db, 'OPCO-ATLAS', ['manager']));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the good lines of the file and reports each bad one by line and field; only the platform loads it', async () => {
    const res = await upload('\uFEFFrncp;idcc;eurPerYear;validFrom;validTo\nRNCP35341;1486;8000;2025-01-01;\nRNCP35341;2120;9 500,00;2025-01-01;\nRNCP35341;abc;-5;2025-13-01;\n');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(res.body.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`).sort()).toEqual(['4:eurPerYear', '4:idcc', '4:validFrom']);
    const levels = await t.http.get('/api/v1/price-references/npec?rncp=RNCP35341').set('authorization', `Bearer ${manager}`);
    expect(levels.body).toEqual([
      { rncp: 'RNCP35341', idcc: '1486', eurPerYear: 8000, validFrom: '2025-01-01', validTo: null },
      { rncp: 'RNCP35341', idcc: '2120', eurPerYear: 9500, validFrom: '2025-01-01', validTo: null },
    ]);
    expect((await upload('rncp;idcc;eurPerYear;validFrom;validTo\nRNCP1;0001;1;2025-01-01;\n', manager)).status).toBe(403);
    const garbage = await upload('\u0000\u0001binary');
    expect(garbage.status).toBe(422);
    expect(garbage.body.code).toBe('IMPORT.HEADER_INVALID');
  });

  it("flags an apprenticeship above its branch's level, and one without a branch above the highest level across branches", async () => {
    const atlas = await orgId(t.db, 'OPCO-ATLAS');
    const aboveBranch = await apprenticeship(atlas, 18000, '1486'); // 9,006.16 / year > 8,000
    await apprenticeship(atlas, 15000, '1486'); // 7,505.14 / year
    const aboveRange = await apprenticeship(atlas, 20000, null); // 10,006.85 / year > 9,500
    await apprenticeship(atlas, 18000, null); // 9,006.16 / year, within the range
    const run = await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${manager}`);
    expect(run.status).toBe(202);
    await t.drain(60_000);
    const anomalies = (await t.http.get('/api/v1/anomalies?kind=ABOVE_NPEC').set('authorization', `Bearer ${manager}`)).body.items;
    const byAction = Object.fromEntries(anomalies.map((a: { actionId: string }) => [a.actionId, a]));
    expect(Object.keys(byAction).sort()).toEqual([aboveBranch, aboveRange].sort());
    expect(byAction[aboveBranch].evidence).toMatchObject({ basis: 'BRANCH', idcc: '1486', levelEurPerYear: 8000, value: 9006.16, ratio: 1.126 });
    expect(byAction[aboveRange].evidence).toMatchObject({ basis: 'RANGE_ACROSS_BRANCHES', levelEurPerYear: 9500, range: { min: 8000, max: 9500, branches: 2 }, value: 10006.85 });
    const coverage = (await t.http.get('/api/v1/anomalies/coverage').set('authorization', `Bearer ${manager}`)).body;
    expect(coverage.kinds.find((k: { kind: string }) => k.kind === 'ABOVE_NPEC')).toMatchObject({ tested: 4, flagged: 2, notComputable: 0, withoutUsableGroup: 0 });
  });

  it('replaces the levels wholesale with a new file', async () => {
    const res = await upload('rncp,idcc,eurPerYear,validFrom,validTo\nRNCP35341,1486,8200,2026-01-01,\n');
    expect(res.body).toMatchObject({ accepted: 1, rejected: 0, errors: [] });
    const levels = await t.http.get('/api/v1/price-references/npec').set('authorization', `Bearer ${manager}`);
    expect(levels.body).toEqual([{ rncp: 'RNCP35341', idcc: '1486', eurPerYear: 8200, validFrom: '2026-01-01', validTo: null }]);
  });
});
