// `npm run bench:profile [-- --profile-actions N --profile-providers M]`: the provider control
// profile benchmark. Generates N funded actions (default 1,000,000) over M establishments
// (default 150,000), and M/5 completed checks with five findings each, half shared with the pool,
// in SQL; then in the same run times the project's job (ProviderProfileJob.run of libs/sharing, a
// full run: the one statement and its upsert) and the hand-written baseline
// (bench/profile-baseline.sql: one aggregate per source into a temporary table), prints both and
// their ratio, and the time of an incremental run over unchanged data. It fails when the two
// disagree on the rows or the scores; it never asserts on time.
// Its own PostgreSQL, data in .data/bench-profile; port BO_BENCH_PROFILE_PG_PORT (54397).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { numberArg, runBenchmark, seconds, timed, withBenchDatabase } from '../scripts/lib/bench.mjs';
import { ROOT, log } from '../scripts/lib/services.mjs';

const require = createRequire(import.meta.url);

const ACTIONS = numberArg('--profile-actions', 1_000_000);
const PROVIDERS = numberArg('--profile-providers', 150_000);
const CHECKS = Math.max(1, Math.floor(PROVIDERS / 5));
const DATA_DIR = process.env.BO_BENCH_PROFILE_DATA_DIR ?? join(ROOT, '.data', 'bench-profile');
const PG_PORT = Number(process.env.BO_BENCH_PROFILE_PG_PORT ?? 54397);

async function main() {
  await withBenchDatabase({ dataDir: DATA_DIR, port: PG_PORT, database: 'bo_bench_profile', label: 'profile benchmark' }, async ({ db, admin }) => {
    const [{ a, c }] = (await admin.query(`SELECT (SELECT count(*) FROM funded_actions)::int AS a, (SELECT count(*) FROM checks)::int AS c`)).rows;
    if (a !== ACTIONS || c !== CHECKS) {
      log(`generating ${ACTIONS.toLocaleString('en')} funded actions over ${PROVIDERS.toLocaleString('en')} establishments, ${CHECKS.toLocaleString('en')} checks`);
      await admin.query(`TRUNCATE funded_actions, check_findings, check_shares, checks, provider_control_profiles, job_watermarks CASCADE`);
      const gen = await timed(async () => {
        await admin.query(
          `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, formacode, modality, region, start_date, amount_funded, coverage)
           WITH funders AS (SELECT array_agg(id ORDER BY code) AS ids FROM organisations WHERE kind = 'FUNDER')
           SELECT funders.ids[1 + (g * 7) % array_length(funders.ids, 1)], 'P' || g, lpad((10000000 + (g::bigint * 7919) % $2::int)::text, 14, '0'),
                  'TRAINING', '22252', 'ON_SITE', '84', current_date - (g % 720), 100 + g % 5000,
                  (ARRAY['CERTIFIED','CERTIFIED','CERTIFIED','CERTIFIED','NOT_CERTIFIED','UNKNOWN'])[1 + g % 6]
             FROM generate_series(1, $1::int) g CROSS JOIN funders`,
          [ACTIONS, PROVIDERS],
        );
        await admin.query(
          `INSERT INTO checks (organisation_id, provider_siret, method, framework_id, scope, state, outcome, completed_at, completed_by)
           WITH funders AS (SELECT array_agg(id ORDER BY code) AS ids FROM organisations WHERE kind = 'FUNDER'),
                fw AS (SELECT id FROM frameworks WHERE code = 'SERVICE-FAIT' AND organisation_id IS NULL)
           SELECT funders.ids[1 + (g * 3) % array_length(funders.ids, 1)], lpad((10000000 + (g::bigint * 104729) % $2::int)::text, 14, '0'),
                  'DOCUMENTARY', fw.id, '{}', 'COMPLETED', (ARRAY['COMPLIANT','COMPLIANT_WITH_RESERVATIONS','NON_COMPLIANT'])[1 + g % 3],
                  now() - make_interval(days => g % 1500), gen_random_uuid()
             FROM generate_series(1, $1::int) g CROSS JOIN funders CROSS JOIN fw`,
          [CHECKS, PROVIDERS],
        );
        await admin.query(
          `INSERT INTO check_findings (check_id, organisation_id, point_code, grade, recorded_by)
           SELECT c.id, c.organisation_id, 'P' || k, (ARRAY['COMPLIANT','COMPLIANT','MINOR_NC','MAJOR_NC','NOT_APPLICABLE'])[1 + (abs(hashtext(c.id::text)) + k) % 5], gen_random_uuid()
             FROM checks c CROSS JOIN generate_series(1, 5) k`,
        );
        await admin.query(
          `INSERT INTO check_shares (check_id, organisation_id, mode)
           SELECT id, organisation_id, CASE WHEN abs(hashtext(id::text)) % 2 = 0 THEN 'POOL' ELSE 'PRIVATE' END FROM checks`,
        );
        await admin.query(`ANALYZE funded_actions; ANALYZE checks; ANALYZE check_findings; ANALYZE check_shares`);
      });
      log(`generated in ${seconds(gen.ms)} s`);
    }
    // Each measurement starts from an empty profile table (the first run writes every profile).
    await admin.query(`TRUNCATE provider_control_profiles`);
    await admin.end();

    const { ProviderProfileJob } = require(join(ROOT, 'dist/libs/sharing/src/provider-profile.job.js'));
    const job = new ProviderProfileJob(null, null);
    const tx = {
      query: async (sql, params) => (await db.query(sql, params)).rows,
      one: async (sql, params) => (await db.query(sql, params)).rows[0],
    };
    const asOf = new Date();
    // Warm the cache once so neither side pays the first read.
    await db.query(`SELECT count(*), sum(amount_funded) FROM funded_actions`);
    await db.query(`SELECT count(*) FROM check_findings`);

    // Two full runs: the first into an empty table (every profile written), then the nightly one
    // over a full table (only the profiles whose values changed are rewritten).
    await db.query('BEGIN');
    const project = await timed(() => job.run(tx, asOf, true));
    await db.query('COMMIT');
    await db.query('BEGIN');
    const nightly = await timed(() => job.run(tx, new Date(asOf.getTime() + 1000), true));
    await db.query('COMMIT');

    const baselineSql = readFileSync(join(ROOT, 'bench', 'profile-baseline.sql'), 'utf8');
    await db.query('BEGIN');
    const baseline = await timed(() => db.query(baselineSql, [asOf]));
    const [cmp] = (
      await db.query(
        `SELECT (SELECT count(*) FROM baseline_profile)::int AS baseline_rows, (SELECT count(*) FROM provider_control_profiles)::int AS project_rows,
                (SELECT count(*) FROM baseline_profile b FULL JOIN provider_control_profiles p USING (provider_siret)
                  WHERE b.provider_siret IS NULL OR p.provider_siret IS NULL
                     OR (b.funders_funding, b.amount_12m, b.shared_checks, b.shared_nc_findings, b.shared_major_findings, b.shared_check_ids, b.last_shared_outcome,
                         b.exposure_points + b.certification_points + b.recency_points + b.outcome_points)
                        IS DISTINCT FROM
                        (p.funders_funding, p.amount_12m, p.shared_checks, p.shared_nc_findings, p.shared_major_findings, p.shared_check_ids, p.last_shared_outcome, p.score))::int AS differing`,
      )
    ).rows;
    await db.query('ROLLBACK');
    if (cmp.differing !== 0 || cmp.baseline_rows !== cmp.project_rows) {
      throw new Error(`the project and the baseline disagree: ${JSON.stringify(cmp)}`);
    }

    // Nothing changed since the run: an incremental run from a watermark of now finds nothing to do
    // (the generated rows are younger than the 10-minute margin, which would make it redo them all).
    await db.query(`UPDATE job_watermarks SET watermark = now()`);
    await db.query('BEGIN');
    const again = await timed(() => job.run(tx, new Date(), false));
    await db.query('COMMIT');

    process.stdout.write(
      [
        '',
        `provider control profile, ${ACTIONS.toLocaleString('en')} funded actions, ${PROVIDERS.toLocaleString('en')} establishments, ${CHECKS.toLocaleString('en')} checks`,
        `  project, first full run (empty table)           ${seconds(project.ms)} s: ${project.result.written.toLocaleString('en')} profiles written`,
        `  project, nightly full run (table full)          ${seconds(nightly.ms)} s: ${nightly.result.written.toLocaleString('en')} profiles rewritten, the others unchanged`,
        `  hand-written baseline (aggregates into a table)  ${seconds(baseline.ms)} s: ${cmp.baseline_rows.toLocaleString('en')} rows, identical columns`,
        `  ratio ${(project.ms / baseline.ms).toFixed(2)} first run, ${(nightly.ms / baseline.ms).toFixed(2)} nightly run (goal: at most 1.5)`,
        `  incremental run over unchanged data             ${seconds(again.ms)} s (${again.result.written} profiles rewritten)`,
        '',
      ].join('\n'),
    );
  });
}

runBenchmark(main);
