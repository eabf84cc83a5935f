// `npm run bench:profile [-- --profile-actions N --profile-providers M --repeat R]`: the provider
// control profile benchmark. Generates N funded actions (default 1,000,000) over M establishments
// (default 150,000), and M/5 completed checks with five findings each, half shared with the pool,
// in SQL, then VACUUM ANALYZE (the state autovacuum leaves the tables in, reached before the timings
// instead of during them). Then R times (default 5), alternating which side goes first, it times the
// project's job (ProviderProfileJob.run of libs/sharing with its COMMIT: the first full run into an
// empty profile table, then the nightly full run over the full table) and the hand-written baseline
// (bench/profile-baseline.sql: one aggregate per source into a temporary table), each from a
// CHECKPOINT so that no side pays for the WAL of the other. It prints every repetition, the median
// of each side and the ratios of the medians, and the time of an incremental run over unchanged
// data. It fails when the two disagree on the rows or the scores (checked at every repetition); it
// never asserts on time.
// Its own PostgreSQL: port BO_BENCH_PROFILE_PG_PORT (54397), data in BO_BENCH_PROFILE_DATA_DIR
// (.data/bench-profile).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
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
const REPEAT = numberArg('--repeat', 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main() {
  if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error('--repeat must be a positive integer');
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
      });
      log(`generated in ${seconds(gen.ms)} s`);
    }
    // Generated rows are not yet all-visible: autovacuum would set them so at some point, possibly
    // in the middle of a timed run (index-only scans then stop reading the heap).
    await admin.query(`VACUUM (ANALYZE) funded_actions, checks, check_findings, check_shares`);

    const { ProviderProfileJob } = require(join(ROOT, 'dist/libs/sharing/src/provider-profile.job.js'));
    const job = new ProviderProfileJob(null, null);
    const tx = {
      query: async (sql, params) => (await db.query(sql, params)).rows,
      one: async (sql, params) => (await db.query(sql, params)).rows[0],
    };
    const asOf = new Date();
    const nightlyAt = new Date(asOf.getTime() + 1000);
    const baselineSql = readFileSync(join(ROOT, 'bench', 'profile-baseline.sql'), 'utf8');
    // Warm the cache once so neither side pays the first read.
    await db.query(`SELECT count(*), sum(amount_funded) FROM funded_actions`);
    await db.query(`SELECT count(*) FROM check_findings`);

    /** One timed job run, its COMMIT included (the job's transaction ends there; the WAL is flushed then). */
    const jobRun = async (at, full) => {
      await admin.query('CHECKPOINT');
      return timed(async () => {
        await db.query('BEGIN');
        const result = await job.run(tx, at, full);
        await db.query('COMMIT');
        return result;
      });
    };
    // The first run into an empty table (every profile written; no watermark yet), then the nightly
    // one over the full table (only the profiles whose values changed are rewritten).
    const project = async () => {
      await admin.query(`TRUNCATE provider_control_profiles`);
      await admin.query(`DELETE FROM job_watermarks WHERE job = 'sharing.provider-control-profile'`);
      const first = await jobRun(asOf, true);
      const nightly = await jobRun(nightlyAt, true);
      return { first, nightly };
    };
    // The baseline's statement (its temporary table is dropped at the end of the transaction, which
    // has nothing to flush), then, untimed, the comparison with the profiles it finds: those of the
    // last nightly run, so it computes as of that run's business time.
    const baseline = async () => {
      await admin.query('CHECKPOINT');
      await db.query('BEGIN');
      const run = await timed(() => db.query(baselineSql, [nightlyAt]));
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
      return { ms: run.ms, rows: cmp.baseline_rows };
    };

    const loadBefore = load();
    const reps = [];
    for (let i = 0; i < REPEAT; i++) {
      // Alternate which side goes first; the baseline compares with the profiles its turn finds,
      // so the very first repetition starts with the project.
      if (i % 2 === 0) {
        const p = await project();
        reps.push({ ...p, baseline: await baseline(), order: 'project first' });
      } else {
        const b = await baseline();
        reps.push({ ...(await project()), baseline: b, order: 'baseline first' });
      }
      const r = reps.at(-1);
      log(`repetition ${i + 1}/${REPEAT} (${r.order}): first ${seconds(r.first.ms)} s, nightly ${seconds(r.nightly.ms)} s, baseline ${seconds(r.baseline.ms)} s`);
    }
    const loadAfter = load();

    // Nothing changed since the run: an incremental run from a watermark of now finds nothing to do
    // (the generated rows are younger than the 10-minute margin, which would make it redo them all).
    await admin.query(`UPDATE job_watermarks SET watermark = now()`);
    const again = await jobRun(new Date(), false);

    const med = {
      first: median(reps.map((r) => r.first.ms)),
      nightly: median(reps.map((r) => r.nightly.ms)),
      baseline: median(reps.map((r) => r.baseline.ms)),
    };
    const last = reps.at(-1);
    const pad = (text, width) => text.padEnd(width);
    process.stdout.write(
      [
        '',
        `provider control profile, ${ACTIONS.toLocaleString('en')} funded actions, ${PROVIDERS.toLocaleString('en')} establishments, ${CHECKS.toLocaleString('en')} checks`,
        `${REPEAT} repetitions, each timed run from a CHECKPOINT; ${cpus().length} CPUs, load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after`,
        `  ${pad('repetition', 18)}${pad('first run', 12)}${pad('nightly run', 13)}${pad('baseline', 11)}ratios (first, nightly)`,
        ...reps.map(
          (r, i) =>
            `  ${pad(`${i + 1} ${r.order === 'project first' ? '(project 1st)' : '(baseline 1st)'}`, 18)}${pad(`${seconds(r.first.ms)} s`, 12)}${pad(`${seconds(r.nightly.ms)} s`, 13)}${pad(`${seconds(r.baseline.ms)} s`, 11)}${(r.first.ms / r.baseline.ms).toFixed(2)}, ${(r.nightly.ms / r.baseline.ms).toFixed(2)}`,
        ),
        `  ${pad('median', 18)}${pad(`${seconds(med.first)} s`, 12)}${pad(`${seconds(med.nightly)} s`, 13)}${pad(`${seconds(med.baseline)} s`, 11)}`,
        `  project, first full run (empty table): ${last.first.result.written.toLocaleString('en')} profiles written`,
        `  project, nightly full run (table full): ${last.nightly.result.written.toLocaleString('en')} profiles rewritten, the others unchanged`,
        `  hand-written baseline (aggregates into a temporary table): ${last.baseline.rows.toLocaleString('en')} rows, identical columns at every repetition`,
        `  ratio of the medians ${(med.first / med.baseline).toFixed(2)} first run, ${(med.nightly / med.baseline).toFixed(2)} nightly run (goal: at most 1.5)`,
        `  incremental run over unchanged data ${seconds(again.ms)} s (${again.result.written} profiles rewritten)`,
        '',
      ].join('\n'),
    );
  });
}

runBenchmark(main);
