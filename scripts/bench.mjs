// `npm run bench -- --api`: the API latency benchmark instead (bench/api-latency.mjs).
// `npm run bench [-- --rows N]`: imports N generated funded actions (default 1,000,000) through
// the real `actions.import` job, run by the compiled worker in its own process, and compares its
// rows per second with a raw COPY of the same file into a plain table. Samples the worker's
// resident memory (VmRSS) every 50 ms and fails when the peak reaches 300 MB. Starts its own
// PostgreSQL and Redis (ports 54390 / 63890, data in .data/bench) like `npm test` does.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createRequire } from 'node:module';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { build } from './build.mjs';
import { ROOT, loadSecrets, log, roleUrls, startPostgres, startRedis } from './lib/services.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { Queue } = require('bullmq');

const argRows = process.argv.indexOf('--rows');
const ROWS = argRows > 0 ? Number(process.argv[argRows + 1]) : 1_000_000;
const RSS_LIMIT_MB = 300;
const DATA_DIR = process.env.BO_BENCH_DATA_DIR ?? join(ROOT, '.data', 'bench');
const PG_PORT = Number(process.env.BO_BENCH_PG_PORT ?? 54390);
const REDIS_PORT = Number(process.env.BO_BENCH_REDIS_PORT ?? 63890);
const stops = [];
const children = new Set();

async function stopAll() {
  for (const child of children) child.kill('SIGTERM');
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

/** Writes the generated file into the blob store's layout (content-addressed), answers its hash. */
async function generate(blobDir) {
  const { ActionsCsvGenerator } = require(join(ROOT, 'dist/libs/testing/src/generators/index.js'));
  const generator = new ActionsCsvGenerator({
    rows: ROWS,
    seed: 'bench',
    providerCount: 2000,
    badRows: { INVALID_SIRET: 10, NEGATIVE_HOURS: 10, UNKNOWN_CATEGORY: 10, DUPLICATE_EXTERNAL_REF: 10, WRONG_DATE_FORMAT: 10 },
  });
  mkdirSync(join(blobDir, 'tmp'), { recursive: true });
  const tmp = join(blobDir, 'tmp', randomUUID());
  const hash = createHash('sha256');
  const meter = new Transform({ transform: (chunk, _e, done) => (hash.update(chunk), done(null, chunk)) });
  await pipeline(generator.stream(), meter, createWriteStream(tmp));
  const sha256 = hash.digest('hex');
  const dir = join(blobDir, sha256.slice(0, 2), sha256.slice(2, 4));
  mkdirSync(dir, { recursive: true });
  renameSync(tmp, join(dir, sha256));
  return { sha256, path: join(dir, sha256), size: statSync(join(dir, sha256)).size, providers: generator.providers, bad: generator.badRows.length };
}

async function main() {
  if (API) return void (await import('../bench/api-latency.mjs'));
  if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error('--rows must be a positive integer');
  build();
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
  };
  const setup = runNode('dist/apps/cli/src/main.js', ['setup'], env);
  if ((await new Promise((r) => setup.once('exit', r))) !== 0) throw new Error('database setup failed');

  log(`generating ${ROWS.toLocaleString('en')} actions`);
  const file = await generate(blobDir);
  log(`file: ${(file.size / 1e6).toFixed(1)} MB, ${file.bad} bad rows`);

  const db = new Client({ connectionString: env.DATABASE_ADMIN_URL.replace(/\/postgres$/, '/bo_bench') });
  await db.connect();
  // A fresh start for the measured import; the registry holds the file's providers, most certified.
  await db.query(`TRUNCATE funded_actions, import_errors, imports CASCADE`);
  await db.query(`TRUNCATE certification_observations, providers CASCADE`);
  const withNda = file.providers.filter((p) => p.nda);
  await db.query(
    `INSERT INTO providers (nda, siren, siret, name) SELECT nda, left(siret, 9), siret, 'Bench ' || nda FROM unnest($1::text[], $2::text[]) AS x(nda, siret) ON CONFLICT DO NOTHING`,
    [withNda.map((p) => p.nda), withNda.map((p) => p.siret)],
  );
  await db.query(
    `INSERT INTO certification_observations (nda, category, certified, observed_on, source)
     SELECT nda, c, (hashtext(nda) % 5) <> 0, DATE '2024-06-01', 'PUBLIC_LIST' FROM providers, unnest(ARRAY['TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP']) c`,
  );
  const [org] = (await db.query(`SELECT id FROM organisations WHERE kind = 'FUNDER' ORDER BY code LIMIT 1`)).rows;
  const [imp] = (
    await db.query(`INSERT INTO imports (organisation_id, kind, file_sha256, file_size, created_by) VALUES ($1, 'ACTIONS', $2, $3, 'bench') RETURNING id`, [
      org.id,
      file.sha256,
      file.size,
    ])
  ).rows;

  const worker = runNode('dist/apps/worker/src/main.js', [], env);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(worker.pid))), 50);
  await new Promise((r) => setTimeout(r, 3000)); // boot
  const idle = rssMb(worker.pid);
  const queue = new Queue('imports', { connection: { url: redis.url }, prefix: env.QUEUE_PREFIX });
  const started = Date.now();
  await queue.add('actions.import', { organisationId: org.id, importId: imp.id, actor: { kind: 'user', id: randomUUID(), label: 'bench' } }, { attempts: 1 });
  let status;
  for (;;) {
    status = (await db.query(`SELECT status, counts, error, extract(epoch FROM finished_at - started_at) AS run_s FROM imports WHERE id = $1`, [imp.id])).rows[0];
    if (status.status === 'SUCCEEDED' || status.status === 'FAILED') break;
    if (worker.exitCode !== null) throw new Error('the worker stopped');
    await new Promise((r) => setTimeout(r, 100));
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const importSeconds = Number(status.run_s);
  clearInterval(sampler);
  await queue.close();
  worker.kill('SIGTERM');
  if (status.status !== 'SUCCEEDED') throw new Error(`import failed: ${status.error}`);

  await db.query(`DROP TABLE IF EXISTS bench_raw_copy`);
  await db.query(`CREATE TABLE bench_raw_copy (${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'].map((c) => `${c} text`).join(', ')})`);
  const copyStarted = Date.now();
  await pipeline(createReadStream(file.path), db.query(copyFrom(`COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)`)));
  const copySeconds = (Date.now() - copyStarted) / 1000;
  await db.query(`DROP TABLE bench_raw_copy`);
  await db.end();
  rmSync(file.path, { force: true });

  const rate = (s) => Math.round(ROWS / s).toLocaleString('en');
  const lines = [
    '',
    `rows                 ${ROWS.toLocaleString('en')} (${(file.size / 1e6).toFixed(1)} MB)`,
    `import job           ${importSeconds.toFixed(1)} s  ${rate(importSeconds)} rows/s  (job start to commit: COPY + SQL validation + upsert + coverage + audit)`,
    `  wall clock         ${wallSeconds.toFixed(1)} s  (from enqueue, including the worker picking the job up)`,
    `raw COPY             ${copySeconds.toFixed(1)} s  ${rate(copySeconds)} rows/s  (same file, plain text table)`,
    `counts               ${JSON.stringify(status.counts)}`,
    `worker RSS           idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (limit ${RSS_LIMIT_MB} MB)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (peak >= RSS_LIMIT_MB) throw new Error(`peak RSS ${peak.toFixed(0)} MB is over ${RSS_LIMIT_MB} MB`);
  if (status.counts.accepted !== ROWS - file.bad) throw new Error(`expected ${ROWS - file.bad} accepted rows, got ${status.counts.accepted}`);
}

main()
  .then(() => stopAll())
  .catch(async (error) => {
    console.error(`[bo] bench failed: ${error.message}`);
    await stopAll();
    process.exit(1);
  });
