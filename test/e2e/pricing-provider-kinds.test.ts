import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login, orgId } from '../support/fixtures';
import { newSiren, siretOf } from '../support/actions-fixtures';

/**
 * The provider kinds of price anomalies on hand-computed fixtures: a funder paying a provider
 * more than the other funders do (CROSS_FUNDER_DISPARITY) and hours cut at an unchanged price
 * (DURATION_SHORT). Evidence shows ratio bands and set sizes, never the others' prices.
 */
describe('price adequacy: cross-funder disparity and shrinking durations', () => {
  let t: TestApp;
  let atlas: string, cdc: string, ft: string, ara: string;
  const tokens: Record<string, string> = {};
  let seq = 0;

  /** `count` actions of one funder with one trainee: unit = price / hours. */
  async function actions(funder: string, provider: string, code: string, count: number, o: { hours: number; price: number; year?: number }) {
    for (let i = 0; i < count; i++) {
      await t.db.superQuery(
        `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, modality, region,
                start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded)
         VALUES ($1, $2, $3, 'TRAINING', $4, 'ON_SITE', '84', $5, $5, $6, 1, $7, $7)`,
        [funder, `K-${seq++}`, provider, code, `${o.year ?? 2025}-05-01`, o.hours, o.price],
      );
    }
  }
  const anomaliesOf = async (code: string) => (await t.http.get('/api/v1/anomalies?limit=500').set('authorization', `Bearer ${tokens[code]}`)).body.items;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    [atlas, cdc, ft, ara] = await Promise.all(['OPCO-ATLAS', 'CDC', 'FRANCE-TRAVAIL', 'REG-84'].map((c) => orgId(t.db, c)));
    for (const code of ['OPCO-ATLAS', 'CDC', 'FRANCE-TRAVAIL', 'REG-84']) tokens[code] = await login(t.http, await createUser(t.db, code, ['manager']));
    const [x, y, z, w, v] = Array.from({ length: 5 }, () => siretOf(newSiren()));
    // X: Atlas pays 40 EUR/h (8 actions), three other funders 25 EUR/h (3 + 3 + 2): ratio 1.6.
    await actions(atlas, x, 'RNCP700', 8, { hours: 10, price: 400 });
    await actions(cdc, x, 'RNCP700', 3, { hours: 10, price: 250 });
    await actions(ft, x, 'RNCP700', 3, { hours: 10, price: 250 });
    await actions(ara, x, 'RNCP700', 2, { hours: 10, price: 250 });
    // Y: ratio 1.2, below 1.3.
    await actions(atlas, y, 'RNCP701', 8, { hours: 10, price: 300 });
    for (const f of [cdc, ft, ara]) await actions(f, y, 'RNCP701', 3, { hours: 10, price: 250 });
    // V: ratio 2 but only two other funders.
    await actions(atlas, v, 'RNCP702', 8, { hours: 10, price: 500 });
    for (const f of [cdc, ft]) await actions(f, v, 'RNCP702', 4, { hours: 10, price: 250 });
    // Z: 20 h per trainee in 2024, 14 h in 2025 (0.7) at the same 1,000 EUR per trainee.
    for (const [f, n] of [[atlas, 3], [cdc, 3], [ft, 2]] as const) {
      await actions(f, z, 'RNCP800', n, { hours: 20, price: 1000, year: 2024 });
      await actions(f, z, 'RNCP800', n, { hours: 14, price: 1000, year: 2025 });
    }
    // W: 20 h then 16 h (0.8): not short enough.
    for (const [f, n] of [[atlas, 3], [cdc, 3], [ft, 2]] as const) {
      await actions(f, w, 'RNCP801', n, { hours: 20, price: 1000, year: 2024 });
      await actions(f, w, 'RNCP801', n, { hours: 16, price: 1000, year: 2025 });
    }
    const res = await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${tokens['OPCO-ATLAS']}`);
    expect(res.status).toBe(202);
    await t.drain(60_000);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("flags the funder paying 1.6 times the others' median, with bands and set sizes only", async () => {
    const disparities = (await anomaliesOf('OPCO-ATLAS')).filter((a: { kind: string }) => a.kind === 'CROSS_FUNDER_DISPARITY');
    expect(disparities).toHaveLength(1);
    expect(disparities[0]).toMatchObject({ certificationCode: 'RNCP700', year: 2025, actionId: null });
    expect(disparities[0].evidence).toMatchObject({ ratioBand: '1.5 - 2', ownActions: 8, otherActions: 8, otherFunders: 3 });
    const shown = JSON.stringify(disparities[0].evidence);
    expect(shown).not.toMatch(/\b25\b|\b250\b|\b40\b|\b400\b/);
    // The funders on the other side have no disparity of their own (3 actions each, under the floor).
    for (const other of ['CDC', 'FRANCE-TRAVAIL', 'REG-84']) {
      expect((await anomaliesOf(other)).filter((a: { kind: string }) => a.kind === 'CROSS_FUNDER_DISPARITY')).toHaveLength(0);
    }
  });

  it('flags shrinking durations at an unchanged price for every funder with actions in the set', async () => {
    for (const code of ['OPCO-ATLAS', 'CDC', 'FRANCE-TRAVAIL']) {
      const short = (await anomaliesOf(code)).filter((a: { kind: string }) => a.kind === 'DURATION_SHORT');
      expect(short).toHaveLength(1);
      expect(short[0]).toMatchObject({ certificationCode: 'RNCP800', year: 2025 });
      expect(short[0].evidence).toMatchObject({ hoursRatioBand: '0.5 - 0.75', priceRatioBand: '0.75 - 1', actions: 8, funders: 3, previousActions: 8 });
    }
    expect((await anomaliesOf('REG-84')).filter((a: { kind: string }) => a.kind === 'DURATION_SHORT')).toHaveLength(0);
  });
});
