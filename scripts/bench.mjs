// `npm run bench -- --api`: the API latency benchmark instead (bench/api-latency.mjs).
// `npm run bench -- --import [--rows N] [--public-rows N]`: the import benchmark. For each import
// (funded actions, N rows, default 200,000; public list, default 150,000 rows in the official
// layout) it generates one file, runs the project's real job (compiled worker, its own process)
// and the hand-written baseline in bench/*.sql on that same file in the same run, then imports the
// same file again (nothing changes) with both, and prints the times, the ratios, rows per second
// and the worker's peak resident memory (VmRSS sampled every 50 ms; fails at 300 MB). It also
// fails when the job's counts are not the expected ones; it never asserts on time.
// Starts its own PostgreSQL and Redis, data in .data/bench; ports from BO_BENCH_PG_PORT /
// BO_BENCH_REDIS_PORT, else BO_PG_PORT / BO_REDIS_PORT, else 54390 / 63890.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createRequire } from 'node:module';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { build } from './build.mjs';
import { ROOT, loadSecrets, log, roleUrls, startPostgres, startRedis } from './lib/services.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { Queue } = require('bullmq');

const argValue = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = argValue('--rows', 200_000);
const PUBLIC_ROWS = argValue('--public-rows', 150_000);
const ACTION_PROVIDERS = 2000;
const RSS_LIMIT_MB = 300;
const DATA_DIR = process.env.BO_BENCH_DATA_DIR ?? join(ROOT, '.data', 'bench');
const PG_PORT = Number(process.env.BO_BENCH_PG_PORT ?? process.env.BO_PG_PORT ?? 54390);
const REDIS_PORT = Number(process.env.BO_BENCH_REDIS_PORT ?? process.env.BO_REDIS_PORT ?? 63890);
const stops = [];
const children = new Set();

async function stopAll() {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => (clearTimeout(kill), resolve()));
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(`[bo] ${e.message}`));
  stops.length = 0;
}
const API = process.argv.includes('--api');
// With --api, bench/api-latency.mjs owns the services and their stopping.
if (!API) for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll().then(() => process.exit(130)));

function runNode(script, args, env) {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Writes a generated stream into the blob store's layout (content-addressed). */
async function toBlob(blobDir, stream) {
  mkdirSync(join(blobDir, 'tmp'), { recursive: true });
  const tmp = join(blobDir, 'tmp', randomUUID());
  const hash = createHash('sha256');
  const meter = new Transform({ transform: (chunk, _e, done) => (hash.update(chunk), done(null, chunk)) });
  await pipeline(stream, meter, createWriteStream(tmp));
  const sha256 = hash.digest('hex');
  const dir = join(blobDir, sha256.slice(0, 2), sha256.slice(2, 4));
  mkdirSync(dir, { recursive: true });
  renameSync(tmp, join(dir, sha256));
  return { sha256, path: join(dir, sha256), size: statSync(join(dir, sha256)).size };
}

/** A bench/*.sql file as statements (split on `;` at a line end), with `:name` placeholders bound as literals. */
function sqlStatements(file, bindings = {}) {
  let text = readFileSync(join(ROOT, 'bench', file), 'utf8').replace(/^\s*--.*$/gm, '');
  for (const [name, value] of Object.entries(bindings)) text = text.replaceAll(`:${name}`, `'${String(value).replace(/'/g, "''")}'`);
  return text
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Runs a baseline file in one transaction, COPY statements fed with `path`; answers seconds to commit. */
/**
 * Each timed run starts from a checkpoint, so that neither side pays for the WAL the other wrote
 * (a checkpoint forced by the public list's volume otherwise lands in the next timed run).
 */
async function checkpoint(db) {
  await db.query('CHECKPOINT');
}

async function runBaseline(db, file, path, bindings) {
  await checkpoint(db);
  const started = Date.now();
  await db.query('BEGIN');
  for (const statement of sqlStatements(file, bindings)) {
    if (/^COPY\b/i.test(statement)) await pipeline(createReadStream(path), db.query(copyFrom(statement)));
    else await db.query(statement);
  }
  await db.query('COMMIT');
  return (Date.now() - started) / 1000;
}

async function main() {
  if (API) return void (await import('../bench/api-latency.mjs'));
  if (!process.argv.includes('--import') && process.argv.slice(2).some((a) => a.startsWith('--') && !['--rows', '--public-rows', '--api'].includes(a))) {
    throw new Error('usage: npm run bench -- --import [--rows N] [--public-rows N] | --api');
  }
  for (const n of [ROWS, PUBLIC_ROWS]) if (!Number.isInteger(n) || n < 1) throw new Error('--rows and --public-rows must be positive integers');
  build();
  const { ActionsCsvGenerator, PublicListGenerator } = require(join(ROOT, 'dist/libs/testing/src/generators/index.js'));
  const secrets = loadSecrets(DATA_DIR);
  const pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm run bench' });
  stops.push(pg.stop);
  const redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm run bench', persistent: false });
  stops.push(redis.stop);
  const blobDir = join(DATA_DIR, 'blobs');
  const env = {
    ...process.env,
    ...roleUrls(PG_PORT, 'bo_bench', secrets),
    NODE_ENV: 'production',
    JWT_SECRET: secrets.jwtSecret,
    SIGNING_KEYS: secrets.signingKey,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{bench}',
    BLOB_DIR: blobDir,
    DEMO_DATA: '0',
    LOG_LEVEL: 'warn',
    // The incremental price recompute an import asks for waits for the end of its window (aligned
    // on the clock): with the default 15 minutes it started in the middle of a later timed import
    // whenever a run crossed a quarter hour. A day keeps it out of every run.
    PRICE_RECOMPUTE_DEBOUNCE_MINUTES: '1440',
  };
  const setup = runNode('dist/apps/cli/src/main.js', ['setup'], env);
  if ((await new Promise((r) => setup.once('exit', r))) !== 0) throw new Error('database setup failed');

  const db = new Client({ connectionString: env.DATABASE_ADMIN_URL.replace(/\/postgres$/, '/bo_bench') });
  await db.connect();
  await db.query(`TRUNCATE funded_actions, import_errors, imports CASCADE`);
  await db.query(`TRUNCATE certification_observations, providers CASCADE`);
  await db.query(`DELETE FROM job_outbox WHERE state = 'PENDING'`); // a previous run's delayed jobs (the price recompute)
  await db.query(`DROP TABLE IF EXISTS bench_baseline_actions, bench_baseline_observations, bench_baseline_providers`);
  const [funder] = (await db.query(`SELECT id FROM organisations WHERE kind = 'FUNDER' ORDER BY code LIMIT 1`)).rows;
  const [platform] = (await db.query(`SELECT id FROM organisations WHERE kind = 'PLATFORM' ORDER BY created_at LIMIT 1`)).rows;

  const worker = runNode('dist/apps/worker/src/main.js', [], env);
  await new Promise((r) => setTimeout(r, 3000)); // boot
  const idle = rssMb(worker.pid);
  const queue = new Queue('imports', { connection: { url: redis.url }, prefix: env.QUEUE_PREFIX });
  const other = new Queue('default', { connection: { url: redis.url }, prefix: env.QUEUE_PREFIX });

  /** Queues one import job for a new imports row, waits for its end; answers job seconds, counts, peak RSS. */
  async function runJob(kind, organisationId, file, payload) {
    await checkpoint(db);
    const [imp] = (
      await db.query(
        `INSERT INTO imports (organisation_id, kind, mode, file_sha256, file_size, created_by) VALUES ($1, $2, $3, $4, $5, 'bench') RETURNING id`,
        [organisationId, kind, kind === 'PUBLIC_LIST' ? 'FULL' : null, file.sha256, file.size],
      )
    ).rows;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(worker.pid))), 50);
    const name = kind === 'PUBLIC_LIST' ? 'registry.public-list-import' : 'actions.import';
    await queue.add(name, { organisationId, importId: imp.id, ...payload }, { attempts: 1 });
    let status;
    for (;;) {
      status = (await db.query(`SELECT status, counts, progress, error, extract(epoch FROM finished_at - started_at) AS run_s FROM imports WHERE id = $1`, [imp.id])).rows[0];
      if (status.status === 'SUCCEEDED' || status.status === 'FAILED') break;
      if (worker.exitCode !== null) throw new Error('the worker stopped');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let follow-up jobs (the coverage recompute a public-list change queues) finish before the next measure.
    for (;;) {
      const counts = { ...(await queue.getJobCounts('active', 'waiting')), ...(await other.getJobCounts('active', 'waiting')) };
      if (counts.active + counts.waiting === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    clearInterval(sampler);
    if (status.status !== 'SUCCEEDED') throw new Error(`${name} failed: ${status.error}`);
    return { seconds: Number(status.run_s), counts: status.counts, progress: status.progress, peak };
  }

  const results = [];
  const record = (what, rows, job, baseline) => results.push({ what, rows, job, baseline });

  // Public list: the project's job, then the baseline, on the same file; then both again (no change).
  log(`generating a public list of ${PUBLIC_ROWS.toLocaleString('en')} rows`);
  const listGenerator = new PublicListGenerator({ rows: PUBLIC_ROWS, seed: 'bench', badRows: { BAD_SIRET: 10, BAD_NDA: 10, DUPLICATE_NDA: 10, BAD_REGION: 10, BAD_DATE: 10 } });
  const list = await toBlob(blobDir, listGenerator.stream());
  log(`public list: ${(list.size / 1e6).toFixed(1)} MB, ${listGenerator.badRows.length} bad rows`);
  for (const statement of sqlStatements('public-list-baseline-table.sql')) await db.query(statement);
  const observedOn = new Date().toISOString().slice(0, 10);
  const listJob = await runJob('PUBLIC_LIST', platform.id, list, { requestedBy: null });
  const listBase = await runBaseline(db, 'public-list-baseline.sql', list.path, { observed_on: observedOn });
  record('public list, first import', PUBLIC_ROWS, listJob, listBase);
  const listAgain = await runJob('PUBLIC_LIST', platform.id, list, { requestedBy: null });
  const listBaseAgain = await runBaseline(db, 'public-list-baseline.sql', list.path, { observed_on: observedOn });
  record('public list, same file again', PUBLIC_ROWS, listAgain, listBaseAgain);
  if (listAgain.counts.changes !== 0) throw new Error(`the public list's re-import changed ${listAgain.counts.changes} rows`);
  const [baseProviders] = (await db.query(`SELECT (SELECT count(*) FROM bench_baseline_providers)::int AS b, (SELECT count(*) FROM providers)::int AS p`)).rows;
  // The baseline's regexes are stricter than the job's normalisation on a few hundred rows (spaces, case): it writes fewer, never more.
  if (baseProviders.b > baseProviders.p) throw new Error(`baseline wrote ${baseProviders.b} providers, the job ${baseProviders.p}`);

  // Funded actions at providers of that list (a funder's actions concentrate on a few thousand).
  const providers = (
    await db.query(`SELECT siret, nda FROM (SELECT siret, nda, row_number() OVER (ORDER BY nda) AS n FROM providers) p WHERE n % greatest(1, (SELECT count(*) FROM providers) / $1) = 0 LIMIT $1`, [
      ACTION_PROVIDERS,
    ])
  ).rows;
  log(`generating ${ROWS.toLocaleString('en')} actions at ${providers.length} providers`);
  const badRows = { INVALID_SIRET: 10, NEGATIVE_HOURS: 10, UNKNOWN_CATEGORY: 10, DUPLICATE_EXTERNAL_REF: 10, WRONG_DATE_FORMAT: 10 };
  const actionsGenerator = new ActionsCsvGenerator({ rows: ROWS, seed: 'bench', providers, badRows });
  const actions = await toBlob(blobDir, actionsGenerator.stream());
  const bad = actionsGenerator.badRows.length;
  log(`actions: ${(actions.size / 1e6).toFixed(1)} MB, ${bad} bad rows`);
  for (const statement of sqlStatements('actions-baseline-table.sql')) await db.query(statement);
  const actor = { kind: 'user', id: randomUUID(), label: 'bench' };
  const actionsJob = await runJob('ACTIONS', funder.id, actions, { actor });
  const actionsBase = await runBaseline(db, 'actions-baseline.sql', actions.path, { organisation_id: funder.id });
  record('funded actions, first import', ROWS, actionsJob, actionsBase);
  const actionsAgain = await runJob('ACTIONS', funder.id, actions, { actor });
  const actionsBaseAgain = await runBaseline(db, 'actions-baseline.sql', actions.path, { organisation_id: funder.id });
  record('funded actions, same file again', ROWS, actionsAgain, actionsBaseAgain);
  const checks = (
    await db.query(
      `SELECT (SELECT count(*) FROM bench_baseline_actions)::int AS baseline, (SELECT count(*) FROM funded_actions)::int AS job,
              (SELECT count(*) FROM funded_actions WHERE coverage_evaluated_at IS NULL)::int AS unevaluated,
              (SELECT count(*) FROM import_errors WHERE import_id = (SELECT id FROM imports WHERE kind = 'ACTIONS' ORDER BY created_at DESC LIMIT 1))::int AS errors`,
    )
  ).rows[0];
  await queue.close();
  await other.close();
  await db.query(`DROP TABLE bench_baseline_actions, bench_baseline_observations, bench_baseline_providers`);
  await db.end();
  rmSync(actions.path, { force: true });
  rmSync(list.path, { force: true });

  const fmt = (s) => `${s.toFixed(2)} s`;
  const rate = (rows, s) => `${Math.round(rows / s).toLocaleString('en')}/s`;
  const lines = ['', `machine: ${process.arch}, Node ${process.version}; worker RSS idle ${idle.toFixed(0)} MB`, ''];
  lines.push('| import | rows | job | job rows/s | baseline | baseline rows/s | ratio | worker peak RSS |', '|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    lines.push(
      `| ${r.what} | ${r.rows.toLocaleString('en')} | ${fmt(r.job.seconds)} | ${rate(r.rows, r.job.seconds)} | ${fmt(r.baseline)} | ${rate(r.rows, r.baseline)} | ${(r.job.seconds / r.baseline).toFixed(2)} | ${r.job.peak.toFixed(0)} MB |`,
    );
  }
  lines.push('', `providers written: job ${baseProviders.p}, baseline ${baseProviders.b}; actions written: job ${checks.job}, baseline ${checks.baseline}`);
  lines.push(`public list counts: ${JSON.stringify(listJob.counts)}`, `public list again:  ${JSON.stringify(listAgain.counts)}`);
  lines.push(`actions counts:     ${JSON.stringify(actionsJob.counts)}`, `actions again:      ${JSON.stringify(actionsAgain.counts)}`);
  lines.push(`actions phases:     ${JSON.stringify(actionsJob.progress)}`, `actions again:      ${JSON.stringify(actionsAgain.progress)}`, '');
  process.stdout.write(lines.join('\n'));

  const peak = Math.max(...results.map((r) => r.job.peak));
  if (peak >= RSS_LIMIT_MB) throw new Error(`peak RSS ${peak.toFixed(0)} MB is over ${RSS_LIMIT_MB} MB`);
  if (actionsJob.counts.accepted !== ROWS - bad) throw new Error(`expected ${ROWS - bad} accepted rows, got ${actionsJob.counts.accepted}`);
  if (actionsJob.counts.coverageChanged !== ROWS - bad) throw new Error(`coverage set on ${actionsJob.counts.coverageChanged} actions, expected ${ROWS - bad}`);
  if (checks.unevaluated !== 0) throw new Error(`${checks.unevaluated} actions have no coverage`);
  if (checks.errors !== bad) throw new Error(`the re-import reported ${checks.errors} line errors, expected ${bad}`);
  if (actionsAgain.counts.inserted + actionsAgain.counts.updated !== 0) throw new Error('the actions re-import changed rows');
  // The baseline lets through what its regexes cannot see (a SIRET with a wrong check digit, a date that does not exist).
  if (checks.baseline < checks.job || checks.baseline > checks.job + bad) throw new Error(`baseline wrote ${checks.baseline} actions, the job ${checks.job}`);
}

main()
  .then(() => stopAll())
  .catch(async (error) => {
    console.error(`[bo] bench failed: ${error.message}`);
    await stopAll();
    process.exit(1);
  });
