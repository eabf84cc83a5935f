// `npm run bench -- --pricing [--pricing-rows N]`: the price recompute benchmark. Generates N
// funded actions (default 5,000,000) of every funder in SQL, then in the same run times the
// project's recompute (libs/pricing recomputePrices: references of the four ladder levels, the
// scan of every action against its narrowest usable group, every anomaly kind, the upsert) and
// the hand-written baseline (bench/pricing-baseline.sql: one aggregate per ladder level computing
// the same statistics), and prints both, their ratio, and the time of a second recompute over
// unchanged data. It asserts on counts (usable groups agree with the baseline), never on time.
// Its own PostgreSQL, data in .data/bench-pricing; port BO_BENCH_PRICING_PG_PORT (54396).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { numberArg, runBenchmark, seconds, timed, withBenchDatabase } from '../scripts/lib/bench.mjs';
import { ROOT, log } from '../scripts/lib/services.mjs';

const require = createRequire(import.meta.url);

const ROWS = numberArg('--pricing-rows', 5_000_000);
const DATA_DIR = process.env.BO_BENCH_PRICING_DATA_DIR ?? join(ROOT, '.data', 'bench-pricing');
const PG_PORT = Number(process.env.BO_BENCH_PRICING_PG_PORT ?? 54396);

/** Ladder levels as the baseline writes them (the project's are in the view action_price_groups). */
const LEVELS = [
  { keys: `'L1', certification_code, region`, filter: 'certification_code IS NOT NULL' },
  { keys: `'L2', certification_code`, filter: 'certification_code IS NOT NULL' },
  { keys: `'L3', formacode`, filter: 'formacode IS NOT NULL' },
  { keys: `'L4', left(formacode, 3)`, filter: 'formacode IS NOT NULL' },
];

async function main() {
  await withBenchDatabase({ dataDir: DATA_DIR, port: PG_PORT, database: 'bo_bench_pricing', label: 'pricing benchmark' }, async ({ db, admin }) => {
    // The baseline gets the memory the project's recompute sets for itself (SET LOCAL work_mem).
    await db.query(`SET work_mem = '256MB'`);

    const [{ n: existing }] = (await db.query(`SELECT count(*)::int AS n FROM funded_actions`)).rows;
    if (existing !== ROWS) {
      log(`generating ${ROWS.toLocaleString('en')} funded actions in SQL`);
      await admin.query(`TRUNCATE funded_actions, price_anomaly_events, price_anomalies, price_references, price_runs CASCADE`);
      const gen = await timed(() =>
        admin.query(
          `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, formacode, modality, region,
                  start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded, branch_idcc)
           WITH funders AS (SELECT array_agg(id ORDER BY code) AS ids FROM organisations WHERE kind = 'FUNDER')
           SELECT funders.ids[1 + g % array_length(funders.ids, 1)], 'B' || g, lpad((100000 + (g::bigint * 7919) % 50000)::text, 14, '0'),
                  c.category,
                  CASE WHEN g % 10 < 8 THEN 'RNCP' || (1 + floor(2000 * power(random(), 2))::int) END,
                  lpad((10000 + (g * 31) % 500)::text, 5, '0'),
                  (ARRAY['ON_SITE','REMOTE','BLENDED'])[1 + g % 3],
                  (ARRAY['11','24','27','28','32','44','52','53','75','76','84','93','94'])[1 + g % 13],
                  DATE '2024-01-01' + (g % 1000), DATE '2024-01-01' + (g % 1000) + 30 + (g % 700),
                  h.hours, t.trainees, round((exp(ln(30) + 0.4 * (random() + random() + random() - 1.5)) * h.hours * t.trainees)::numeric, 2),
                  100, CASE WHEN c.category = 'APPRENTICESHIP' AND g % 2 = 0 THEN lpad((1000 + g % 40)::text, 4, '0') END
             FROM generate_series(1, $1::int) g CROSS JOIN funders
             CROSS JOIN LATERAL (SELECT (ARRAY['TRAINING','TRAINING','TRAINING','TRAINING','TRAINING','TRAINING','TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP'])[1 + g % 10] AS category) c
             CROSS JOIN LATERAL (SELECT 7 + (g * 13) % 400 AS hours, 1 + (g * 17) % 15 AS trainees) h
             CROSS JOIN LATERAL (SELECT h.trainees) t`,
          [ROWS],
        ),
      );
      await admin.query(`ANALYZE funded_actions`);
      log(`generated in ${seconds(gen.ms)} s`);
    }
    await admin.end();

    const baselineSql = readFileSync(join(ROOT, 'bench', 'pricing-baseline.sql'), 'utf8');
    const { recomputePrices } = require(join(ROOT, 'dist/libs/pricing/src/price-recompute.job.js'));
    // Time per statement of the run under way (`--statements`), keyed by its first line.
    let perStatement = new Map();
    const tx = {
      query: async (sql, params) => {
        const started = performance.now();
        const rows = (await db.query(sql, params)).rows;
        const name = sql.trim().split('\n')[0].slice(0, 60);
        perStatement.set(name, (perStatement.get(name) ?? 0) + performance.now() - started);
        return rows;
      },
    };

    // Warm the cache once so neither side pays the first read.
    await db.query(`SELECT count(*) FROM action_unit_prices WHERE unit_price IS NOT NULL`);

    await db.query('BEGIN');
    const project = await timed(() => recomputePrices(tx, null));
    await db.query('COMMIT');
    const firstRunStatements = perStatement;
    perStatement = new Map();

    let baselineMs = 0;
    let baselineGroups = 0;
    for (const level of LEVELS) {
      await db.query('BEGIN');
      const one = await timed(() => db.query(baselineSql.replaceAll(':LEVEL_KEYS', level.keys).replaceAll(':LEVEL_FILTER', level.filter)));
      baselineMs += one.ms;
      baselineGroups += (await db.query(`SELECT count(*)::int AS n FROM baseline_level`)).rows[0].n;
      await db.query('ROLLBACK');
    }

    const countEvents = async () => (await db.query(`SELECT count(*)::int AS n FROM price_anomaly_events`)).rows[0].n;
    const eventsBefore = await countEvents();
    await db.query('BEGIN');
    const again = await timed(() => recomputePrices(tx, null));
    await db.query('COMMIT');
    const events = await countEvents();
    if (events !== eventsBefore) throw new Error(`a second run over unchanged data wrote ${events - eventsBefore} anomaly events`);

    if (project.result.references !== baselineGroups) {
      throw new Error(`the project stored ${project.result.references} usable groups, the baseline computed ${baselineGroups}`);
    }
    if (again.result.reopened !== 0) throw new Error('a second run over unchanged data reopened anomalies');
    if (process.argv.includes('--statements')) {
      log('first run, second run, statement');
      for (const [name, ms] of firstRunStatements) log(`${seconds(ms)} s  ${seconds(perStatement.get(name) ?? 0)} s  ${name}`);
    }
    process.stdout.write(
      [
        '',
        `price recompute, ${ROWS.toLocaleString('en')} funded actions`,
        `  project (references, scan, every kind, upsert) ${seconds(project.ms)} s: ${project.result.references} usable groups, ${project.result.tested.toLocaleString('en')} actions tested, ${project.result.flagged.toLocaleString('en')} flags`,
        `  hand-written baseline (one aggregate per level)  ${seconds(baselineMs)} s: ${baselineGroups} usable groups`,
        `  ratio ${(project.ms / baselineMs).toFixed(2)} (goal: at most 1.5)`,
        `  second run over unchanged data                 ${seconds(again.ms)} s (${events} anomaly events in all: none added)`,
        '',
      ].join('\n'),
    );
  });
}

runBenchmark(main);
