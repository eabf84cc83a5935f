import { SystemDb } from '@bo/database';
import { PriceRunResult, recomputePrices } from '@bo/pricing';
import { TestApp, createTestApp } from '../support/test-app';
import { orgId } from '../support/fixtures';
import { newSiren, siretOf } from '../support/actions-fixtures';

/**
 * The run after imports and edits recomputes only the groups of the scopes that changed
 * (migration 0034 marks them, libs/pricing price-recompute.sql.ts) and must store exactly what a
 * full run would: same references, same anomalies, same evidence, and a full run after it changes
 * nothing.
 */
describe('price recompute: an incremental run stores what a full run would', () => {
  let t: TestApp;
  let funders: string[];
  const providers = Array.from({ length: 6 }, () => siretOf(newSiren()));
  let seq = 0;

  const run = (mode: 'full' | 'incremental') =>
    t.app.get(SystemDb).withLock('pricing.recompute', (tx) => recomputePrices(tx, null, undefined, mode)) as Promise<PriceRunResult>;
  async function action(i: number, code: string, unit: number, o: { formacode?: string; year?: number; region?: string } = {}): Promise<string> {
    const [row] = await t.db.superQuery<{ id: string }>(
      `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, formacode, modality, region,
              start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded)
       VALUES ($1, $2, $3, 'TRAINING', $4, $5, 'ON_SITE', $6, $7, $7, 10, 1, $8, $8) RETURNING id`,
      [funders[i % 3], `I-${seq++}`, providers[i % 6], code, o.formacode ?? '31054', o.region ?? '84', `${o.year ?? 2025}-03-01`, unit * 10],
    );
    return row.id;
  }
  /** What a run leaves behind, without the run ids and times that differ by construction. */
  async function state() {
    const references = await t.db.superQuery(
      `SELECT level, group_key, n, providers, funders, top_provider_share, unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
              hours_n, hours_median, hours_mad, log_q1, log_q3, log_iqr
         FROM price_references ORDER BY level, group_key`,
    );
    const anomalies = await t.db.superQuery(
      `SELECT organisation_id, subject_key, kind, action_id, active, status, level, percent_rank, data_digest,
              evidence - 'snapshot' - 'methodVersion' AS evidence
         FROM price_anomalies ORDER BY organisation_id, subject_key`,
    );
    return { references, anomalies };
  }
  const marks = async () => (await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM price_dirty_scopes`))[0].n;

  let moved: string, repriced: string, keptGroupFlag: string, sibling: string;
  beforeAll(async () => {
    t = await createTestApp();
    funders = await Promise.all(['OPCO-ATLAS', 'CDC', 'FRANCE-TRAVAIL'].map((code) => orgId(t.db, code)));
    // Three certifications in one Formacode, two of them with a second region; one family apart.
    for (let i = 0; i < 12; i++) await action(i, 'RNCP801', 20 + (i % 5));
    for (let i = 0; i < 9; i++) await action(i, 'RNCP801', 30 + (i % 4), { region: '11' });
    for (let i = 0; i < 10; i++) await action(i, 'RNCP802', 40 + (i % 6));
    for (let i = 0; i < 7; i++) await action(i, 'RNCP803', 50 + i); // one short of usable
    for (let i = 0; i < 10; i++) await action(i, 'RNCP804', 25 + (i % 3), { formacode: '42054' });
    // RNCP805 is too small for its own groups: its actions fall back to their Formacode's group,
    // and its extreme one is flagged there, in family 420, which the changes below leave clean.
    await action(3, 'RNCP805', 26, { formacode: '42054' });
    keptGroupFlag = await action(4, 'RNCP805', 300, { formacode: '42054' });
    sibling = await action(5, 'RNCP805', 40);
    moved = await action(1, 'RNCP801', 22);
    repriced = await action(2, 'RNCP802', 41);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('marks the scopes of inserted actions, and none for a change no price depends on', async () => {
    expect(await marks()).toBeGreaterThan(0);
    const full = await run('full');
    expect(full.mode).toBe('full');
    expect(await marks()).toBe(0);
    await t.db.superQuery(`UPDATE funded_actions SET coverage_evaluated_at = now(), amount_funded = amount_funded + 1`);
    expect(await marks()).toBe(0);
    expect(await run('incremental')).toMatchObject({ mode: 'unchanged', runId: full.runId });
  });

  it('after inserts and updates, the incremental run equals a full one', async () => {
    // One action leaves RNCP801 for RNCP802 at an extreme price (its old groups must be recomputed
    // too); one price changes in RNCP802; RNCP803 becomes usable; another family is untouched.
    await t.db.superQuery(`UPDATE funded_actions SET certification_code = 'RNCP802', price_excl_vat = 4000 WHERE id = $1`, [moved]);
    await t.db.superQuery(`UPDATE funded_actions SET price_excl_vat = 5 WHERE id = $1`, [repriced]);
    await action(7, 'RNCP803', 57);
    // RNCP805's scope is dirty through its action in family 310: its family-420 actions are rescanned
    // against the kept group of Formacode 42054 (their percent ranks are read off its prices).
    await t.db.superQuery(`UPDATE funded_actions SET price_excl_vat = 410 WHERE id = $1`, [sibling]);
    const dirty = await t.db.superQuery<{ scope: string; code: string }>(`SELECT DISTINCT scope, code FROM price_dirty_scopes ORDER BY 1, 2`);
    expect(dirty).toEqual([
      { scope: 'CERTIFICATION', code: 'RNCP801' },
      { scope: 'CERTIFICATION', code: 'RNCP802' },
      { scope: 'CERTIFICATION', code: 'RNCP803' },
      { scope: 'CERTIFICATION', code: 'RNCP805' },
      { scope: 'FORMACODE_FAMILY', code: '310' },
    ]);

    const incremental = await run('incremental');
    expect(incremental.mode).toBe('incremental');
    // The coverage report counts every action: an incremental run leaves it to the full runs.
    const [coverage] = await t.db.superQuery<{ test_coverage: unknown }>(`SELECT test_coverage FROM price_runs WHERE id = $1`, [incremental.runId]);
    expect(coverage.test_coverage).toBeNull();
    const after = await state();
    expect(after.references.map((r) => (r as { group_key: string }).group_key)).toEqual(
      expect.arrayContaining(['TRAINING|ON_SITE|2025|L1|RNCP803|84', 'TRAINING|ON_SITE|2025|L2|RNCP804']),
    );
    const flagged = after.anomalies.filter((a) => (a as { active: boolean }).active).map((a) => (a as { action_id: string }).action_id);
    expect(flagged).toEqual(expect.arrayContaining([moved, repriced, keptGroupFlag]));
    const [kept] = await t.db.superQuery<{ level: number; percent_rank: number }>(`SELECT level, percent_rank FROM price_anomalies WHERE action_id = $1`, [keptGroupFlag]);
    expect(kept).toEqual({ level: 3, percent_rank: 1 });
    const [{ events }] = await t.db.superQuery<{ events: number }>(`SELECT count(*)::int AS events FROM price_anomaly_events`);

    const full = await run('full');
    expect(full.mode).toBe('full');
    // The incremental run looked at the dirty scopes' actions only (RNCP804's family was clean).
    expect(incremental.tested).toBeLessThan(full.tested);
    expect(await state()).toEqual(after);
    const [{ events: eventsAfterFull }] = await t.db.superQuery<{ events: number }>(`SELECT count(*)::int AS events FROM price_anomaly_events`);
    expect(eventsAfterFull).toBe(events);
  });
});
