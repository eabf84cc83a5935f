import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login, orgId } from '../support/fixtures';
import { newSiren, siretOf } from '../support/actions-fixtures';

/**
 * The recompute reads every statistic off one sorted array per group (migration 0033,
 * libs/pricing price-recompute.sql.ts). This checks it against PostgreSQL's own aggregates computed
 * the plain way over the view action_price_groups (percentile_cont per statistic, the MAD as the
 * median of absolute deviations, percent_rank as a window), on groups with tied prices, hours
 * missing for some actions, and flagged actions tied with each other.
 */
describe('price references: statistics equal percentile_cont and percent_rank', () => {
  let t: TestApp;
  let token: string;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    const funders = await Promise.all(['OPCO-ATLAS', 'CDC', 'FRANCE-TRAVAIL'].map((code) => orgId(t.db, code)));
    token = await login(t.http, await createUser(t.db, 'OPCO-ATLAS', ['manager']));
    const providers = Array.from({ length: 7 }, () => siretOf(newSiren()));
    // A deterministic pseudo-random sequence: prices with many ties, hours from 7 to 40.
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows: unknown[][] = [];
    const add = (category: string, code: string, unit: number, hours: number | null, i: number) =>
      rows.push([funders[i % 3], `S-${seq++}`, providers[i % 7], category, code, `2025-0${1 + (i % 9)}-01`, hours, category === 'TRAINING' ? unit * (hours ?? 1) : unit]);
    for (let i = 0; i < 41; i++) add('TRAINING', 'RNCP901', 20 + Math.floor(next() * 8) * 2.5, 7 + Math.floor(next() * 34), i);
    add('TRAINING', 'RNCP901', 400, 10, 41); // two extreme prices, tied
    add('TRAINING', 'RNCP901', 400, 20, 42);
    add('TRAINING', 'RNCP901', 2, 12, 43); // a low one
    // Skills assessments: EUR per person; some without hours (their hours are left out of the hours statistics).
    for (let i = 0; i < 23; i++) add('SKILLS_ASSESSMENT', 'RNCP902', 1500 + Math.floor(next() * 5) * 100, i % 4 === 0 ? null : 12 + (i % 5), i);
    add('SKILLS_ASSESSMENT', 'RNCP902', 9000, 14, 23);
    for (const r of rows) {
      await t.db.superQuery(
        `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, formacode, modality, region,
                start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded)
         VALUES ($1, $2, $3, $4, $5, '31054', 'ON_SITE', '84', $6::date, $6::date + 30, $7, 1, $8, $8)`,
        r,
      );
    }
    const res = await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(202);
    await t.drain(60_000);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores, for every usable group, the statistics percentile_cont computes', async () => {
    const stored = await t.db.superQuery<Record<string, string>>(
      `SELECT level, group_key, n, hours_n, unit_p10, unit_q1, unit_median, unit_q3, unit_p90, unit_mad,
              hours_p10, hours_q1, hours_median, hours_q3, hours_p90, hours_mad, log_q1, log_q3
         FROM price_references ORDER BY level, group_key`,
    );
    const plain = await t.db.superQuery<Record<string, string>>(
      `WITH m AS (SELECT level, group_key, unit_price::float8 AS unit, hours::float8 AS hours FROM action_price_groups),
       st AS (
         SELECT level, group_key, count(*)::int AS n, count(hours)::int AS hours_n,
                percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY unit) AS u,
                percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY ln(unit)) AS lq,
                percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY hours) AS h
           FROM m GROUP BY 1, 2
       ),
       mad AS (
         SELECT m.level, m.group_key, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.unit - st.u[3])) AS unit_mad,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.hours - st.h[3])) AS hours_mad
           FROM m JOIN st USING (level, group_key) GROUP BY 1, 2
       )
       SELECT st.level, st.group_key, st.n, st.hours_n,
              st.u[1]::numeric AS unit_p10, st.u[2]::numeric AS unit_q1, st.u[3]::numeric AS unit_median, st.u[4]::numeric AS unit_q3,
              st.u[5]::numeric AS unit_p90, mad.unit_mad::numeric AS unit_mad,
              st.h[1]::numeric AS hours_p10, st.h[2]::numeric AS hours_q1, st.h[3]::numeric AS hours_median, st.h[4]::numeric AS hours_q3,
              st.h[5]::numeric AS hours_p90, mad.hours_mad::numeric AS hours_mad, st.lq[1] AS log_q1, st.lq[2] AS log_q3
         FROM st JOIN mad USING (level, group_key)
        WHERE (st.level, st.group_key) IN (SELECT level, group_key FROM price_references)
        ORDER BY st.level, st.group_key`,
    );
    // Both categories at levels 1 to 4 (one Formacode), nothing else.
    expect(stored.map((r) => `${r.level} ${r.group_key}`)).toEqual(plain.map((r) => `${r.level} ${r.group_key}`));
    expect(stored).toHaveLength(8);
    expect(stored).toEqual(plain);
    const skills = stored.find((r) => Number(r.level) === 1 && r.group_key.startsWith('SKILLS_ASSESSMENT'))!;
    expect([Number(skills.n), Number(skills.hours_n)]).toEqual([24, 18]);
  });

  it('flags and ranks each action against its level-1 group as the fences and percent_rank say, ties included', async () => {
    const flagged = await t.db.superQuery<{ action_id: string; kind: string; percent_rank: number }>(
      `SELECT action_id, kind, percent_rank FROM price_anomalies WHERE action_id IS NOT NULL ORDER BY action_id`,
    );
    // Every action here has a usable level-1 group, its narrowest: flags and ranks computed plainly there.
    const plain = await t.db.superQuery<{ action_id: string; kind: string; percent_rank: number }>(
      `WITH m AS (
         SELECT action_id, group_key, ln(unit_price::float8) AS lu,
                percent_rank() OVER (PARTITION BY group_key ORDER BY unit_price) AS percent_rank
           FROM action_price_groups WHERE level = 1
       ),
       q AS (
         SELECT group_key, lq[1] AS q1, lq[2] AS q3, greatest(lq[2] - lq[1], 0.05) AS iqr
           FROM (SELECT group_key, percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY lu) AS lq FROM m GROUP BY 1) x
       )
       SELECT m.action_id, CASE WHEN m.lu > q.q3 + 3 * q.iqr THEN 'PRICE_EXTREME' WHEN m.lu > q.q3 + 1.5 * q.iqr THEN 'PRICE_HIGH'
                                WHEN m.lu < q.q1 - 1.5 * q.iqr THEN 'PRICE_LOW' END AS kind, m.percent_rank
         FROM m JOIN q USING (group_key)
        WHERE m.lu > q.q3 + 1.5 * q.iqr OR m.lu < q.q1 - 1.5 * q.iqr
        ORDER BY m.action_id`,
    );
    expect(plain.length).toBeGreaterThanOrEqual(4);
    expect(flagged.map((f) => [f.action_id, f.kind])).toEqual(plain.map((f) => [f.action_id, f.kind]));
    flagged.forEach((f, i) => expect(f.percent_rank).toBeCloseTo(plain[i].percent_rank, 12));
    // The two tied 400 EUR/h actions share one rank below 1 (neither is strictly above the other).
    const [training] = await t.db.superQuery<{ ranks: number[] }>(
      `SELECT array_agg(DISTINCT a.percent_rank) AS ranks FROM price_anomalies a JOIN funded_actions f ON f.id = a.action_id
        WHERE f.price_excl_vat / f.hours_per_trainee = 400`,
    );
    expect(training.ranks).toHaveLength(1);
    expect(training.ranks[0]).toBeCloseTo(42 / 43, 12);
  });
});
