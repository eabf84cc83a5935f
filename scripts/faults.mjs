// `npm run test:faults`: the fault suite (docs/reliability.md). Starts its own PostgreSQL and
// redis-server (data in .data/faults) and the compiled API and worker as separate processes,
// then breaks them: kill -9 the worker in the middle of a 100,000-row import and of a coverage
// recompute, stop Redis during traffic, restart PostgreSQL during traffic, and run two APIs and two
// workers on one database and one Redis. Every case asserts exact row counts and job outcomes
// (the job outbox rows), and the suite prints the outage table of issue 12 with what it saw.
// Ports come from the environment (defaults 54360 / 63830 / 3160-3163) so runs can move them.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
/* global AbortSignal, FormData, Blob */
import { build } from './build.mjs';
import { ROOT, loadSecrets, log, roleUrls, startPostgres, startRedis } from './lib/services.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');

const DATA_DIR = process.env.BO_FAULTS_DATA_DIR ?? join(ROOT, '.data', 'faults');
const PG_PORT = Number(process.env.BO_FAULTS_PG_PORT ?? 54360);
const REDIS_PORT = Number(process.env.BO_FAULTS_REDIS_PORT ?? 63830);
const API_PORTS = [Number(process.env.BO_FAULTS_API_PORT ?? 3160), Number(process.env.BO_FAULTS_API2_PORT ?? 3161)];
const WORKER_PORTS = [Number(process.env.BO_FAULTS_WORKER_PORT ?? 3162), Number(process.env.BO_FAULTS_WORKER2_PORT ?? 3163)];
const IMPORT_ROWS = Number(process.env.BO_FAULTS_IMPORT_ROWS ?? 100_000);
const STATEMENT_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** No request may take longer than its statement or connection timeout, plus this margin. */
const REQUEST_BOUND_MS = STATEMENT_TIMEOUT_MS + 2_000;
const DB = 'bo_faults';
const PASSWORD = 'demo-qualite-2026';

const stops = [];
const children = new Set();
let pg;
let redis;
let env;
let admin;

async function stopAll() {
  for (const child of children) child.kill('SIGKILL');
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(`[bo] ${e.message}`));
  stops.length = 0;
  await admin?.end().catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll().then(() => process.exit(130)));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, timeoutMs = 60_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await predicate();
      if (last) return last;
    } catch (error) {
      last = error.message;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// ---------------------------------------------------------------------------------------------
// processes

function runNode(name, script, args, extraEnv = {}) {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      const text = String(chunk).trim();
      if (process.env.BO_FAULTS_VERBOSE && text) process.stderr.write(`[${name}] ${text}\n`);
    });
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function startApi(i) {
  const child = runNode(`api${i}`, 'dist/apps/api/src/main.js', [], { PORT: String(API_PORTS[i]), WORKER_HEALTH_PORT: String(WORKER_PORTS[i]) });
  await until(`API ${i} ready`, async () => (await fetch(`http://127.0.0.1:${API_PORTS[i]}/health/ready`)).status === 200, 60_000, 200);
  return child;
}

async function startWorker(i, extraEnv = {}) {
  const child = runNode(`worker${i}`, 'dist/apps/worker/src/main.js', [], { WORKER_HEALTH_PORT: String(WORKER_PORTS[i]), ...extraEnv });
  await until(`worker ${i} ready`, async () => (await fetch(`http://127.0.0.1:${WORKER_PORTS[i]}/health/ready`)).status === 200, 60_000, 200);
  return child;
}

function kill9(child) {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function http(port, method, path, { token, body, form, timeoutMs = 30_000 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers, ms: Date.now() - started };
}

async function login(email, port = API_PORTS[0]) {
  const res = await http(port, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${email}: ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

function csvForm(csv, name = 'actions.csv') {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), name);
  return form;
}

async function postImport(port, token, csv) {
  return http(port, 'POST', '/api/v1/actions/imports', { token, form: csvForm(csv) });
}

// ---------------------------------------------------------------------------------------------
// data

async function generateCsv(rows, seed, providerCount = 500, badRows = {}) {
  // Compiled by build() at the start of main().
  const { ActionsCsvGenerator } = require(join(ROOT, 'dist/libs/registry/src/actions-csv-generator.js'));
  const generator = new ActionsCsvGenerator({ rows, seed, providerCount, badRows });
  const chunks = [];
  for await (const chunk of generator.stream()) chunks.push(Buffer.from(chunk));
  return { csv: Buffer.concat(chunks), generator };
}

function adminPool() {
  const pool = new Pool({ connectionString: env.DATABASE_ADMIN_URL.replace(/\/postgres$/, `/${DB}`), max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

async function q(sql, params = []) {
  return (await admin.query(sql, params)).rows;
}

async function orgId(code) {
  return (await q(`SELECT id FROM organisations WHERE code = $1`, [code]))[0].id;
}

/** Every provider of a file is in the registry; most are certified, so coverage has work to do. */
async function registerProviders(generator) {
  const withNda = generator.providers.filter((p) => p.nda);
  await q(
    `INSERT INTO providers (nda, siren, siret, name) SELECT nda, left(siret, 9), siret, 'Faults ' || nda FROM unnest($1::text[], $2::text[]) AS x(nda, siret) ON CONFLICT DO NOTHING`,
    [withNda.map((p) => p.nda), withNda.map((p) => p.siret)],
  );
  await q(
    `INSERT INTO certification_observations (nda, category, certified, observed_on, source)
     SELECT nda, c, (hashtext(nda) % 5) <> 0, DATE '2020-01-01', 'PUBLIC_LIST' FROM providers, unnest(ARRAY['TRAINING','SKILLS_ASSESSMENT','VAE','APPRENTICESHIP']) c
      WHERE NOT EXISTS (SELECT 1 FROM certification_observations o WHERE o.nda = providers.nda)`,
  );
}

async function importRow(id) {
  return (await q(`SELECT status, counts, job_id, error FROM imports WHERE id = $1`, [id]))[0];
}

async function outboxRowOfJob(publicJobId) {
  const id = publicJobId.slice(publicJobId.indexOf('.') + 1);
  return (await q(`SELECT id, job_name, state, runs, completions, relay_attempts, relay_error, error FROM job_outbox WHERE id = $1`, [id]))[0];
}

/** The outbox row of a job once the worker recorded its outcome (just after the job's own commit). */
async function finishedJob(publicJobId) {
  return until(`job ${publicJobId} recorded as finished`, async () => {
    const row = await outboxRowOfJob(publicJobId);
    return row.state === 'COMPLETED' || row.state === 'FAILED' ? row : undefined;
  }, 30_000, 100);
}

/** A digest of an organisation's funded actions, independent of ids and of the organisation. */
async function actionsDigest(organisationId, exceptRefs = []) {
  const [row] = await q(
    `SELECT count(*)::int AS n, count(DISTINCT external_ref)::int AS refs,
            md5(string_agg(concat_ws('|', external_ref, provider_siret, category, amount_funded, coverage), ',' ORDER BY external_ref)) AS digest
       FROM funded_actions WHERE organisation_id = $1 AND NOT (external_ref = ANY($2::text[]))`,
    [organisationId, exceptRefs],
  );
  return row;
}

async function waitImport(id, timeoutMs = 120_000) {
  return until(`import ${id} finished`, async () => {
    const row = await importRow(id);
    return row.status === 'SUCCEEDED' || row.status === 'FAILED' ? row : undefined;
  }, timeoutMs, 200);
}

async function recomputeRows() {
  return q(`SELECT id, state, runs, completions, result FROM job_outbox WHERE job_name = 'registry.coverage-recompute' ORDER BY created_at`);
}

async function coverageSnapshot() {
  return (await q(`SELECT md5(string_agg(id::text || coverage, ',' ORDER BY id)) AS digest, count(*) FILTER (WHERE coverage = 'NOT_CERTIFIED')::int AS uncertified FROM funded_actions`))[0];
}

/** A recompute asked for straight in the outbox (as a job would), run to its end; answers its row. */
async function uninterruptedRecompute() {
  const [{ id }] = await q(
    `SELECT job_outbox_enqueue(gen_random_uuid(), 'registry.coverage-recompute', 'default', '{"organisationId":null,"requestedBy":null,"reason":"fault suite"}'::jsonb, NULL, 'registry.coverage-recompute', NULL) AS id`,
  );
  return until('an uninterrupted recompute', async () => {
    const [row] = await q(`SELECT id, state, runs, completions, result FROM job_outbox WHERE id = $1`, [id]);
    return row.state === 'COMPLETED' ? row : undefined;
  }, 60_000, 200);
}

/** Asks for a coverage recompute as the platform would: a registry change through the API. */
async function exemptionChangingCoverage(token, port = API_PORTS[0]) {
  const [provider] = await q(`SELECT siret FROM providers p WHERE NOT EXISTS (SELECT 1 FROM exemptions e WHERE e.siren = p.siren) ORDER BY nda LIMIT 1`);
  const res = await http(port, 'POST', `/api/v1/providers/${provider.siret}/exemptions`, {
    token,
    body: { kind: 'HIGHER_EDUCATION', categories: ['TRAINING'], validFrom: '2019-01-01' },
  });
  assert.equal(res.status, 201, `exemption: ${JSON.stringify(res.body)}`);
  return res;
}

// ---------------------------------------------------------------------------------------------
// the cases

const results = [];
const outage = [];

/** `BO_FAULTS_ONLY=redis,postgres` runs the cases whose name contains one of the words. */
const ONLY = (process.env.BO_FAULTS_ONLY ?? '').split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);

async function test(name, fn) {
  if (ONLY.length && !ONLY.some((w) => name.toLowerCase().includes(w))) return;
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    log(`FAIL ${name}: ${error.stack ?? error.message}`);
  }
}

/** Reads served by PostgreSQL alone, in a loop; every answer and its time are recorded. */
function traffic(port, token, paths) {
  const seen = [];
  let running = true;
  const loop = (async () => {
    let i = 0;
    while (running) {
      const path = paths[i++ % paths.length];
      const t0 = Date.now();
      try {
        const res = await http(port, 'GET', path, { token, timeoutMs: 20_000 });
        seen.push({ at: t0, path, status: res.status, code: res.body?.code, retryAfter: res.headers.get('retry-after'), ms: res.ms });
      } catch (error) {
        seen.push({ at: t0, path, status: 0, error: error.message, ms: Date.now() - t0 });
      }
      await sleep(50);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

async function main() {
  const started = Date.now();
  build();
  rmSync(DATA_DIR, { recursive: true, force: true });
  const secrets = loadSecrets(DATA_DIR);
  pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm run test:faults' });
  stops.push(() => pg.stop());
  redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm run test:faults', persistent: true });
  stops.push(() => redis.stop());
  env = {
    ...process.env,
    ...roleUrls(PG_PORT, DB, secrets),
    NODE_ENV: 'production',
    JWT_SECRET: secrets.jwtSecret,
    SIGNING_KEYS: secrets.signingKey,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{faults}',
    BLOB_DIR: join(DATA_DIR, 'blobs'),
    DEMO_DATA: '1',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    OUTBOX_RELAY_INTERVAL_MS: '500',
    // Short, so that a killed worker's job runs again within seconds (the default is 30 s).
    JOB_LOCK_MS: '5000',
  };
  const setup = runNode('setup', 'dist/apps/cli/src/main.js', ['setup']);
  if ((await new Promise((r) => setup.once('exit', r))) !== 0) throw new Error('database setup failed');
  admin = adminPool();

  let api = await startApi(0);
  let worker = await startWorker(0);
  const officer = await login('officer@atlas.demo');
  const cdcOfficer = await login('officer@cdc.demo');
  const platform = await login('platform@bo.demo');
  const atlas = await orgId('OPCO-ATLAS');
  const cdc = await orgId('CDC');
  const ara = await orgId('REG-84');

  log(`generating ${IMPORT_ROWS.toLocaleString('en')} actions`);
  const big = await generateCsv(IMPORT_ROWS, 'faults', 2000, { INVALID_SIRET: 5, NEGATIVE_HOURS: 5, WRONG_DATE_FORMAT: 5 });
  await registerProviders(big.generator);
  const expectedAccepted = IMPORT_ROWS - big.generator.badRows.length;

  // First, while the database is small: six coverage recomputes stay quick.
  await test('two APIs and two workers on one database and one Redis', async () => {
    // Production's job lock here: on this shared 2-core machine a 5 s lock can lapse under load
    // and hand a running job to the other worker (a second run, harmless but not "once").
    await stopChild(worker);
    worker = await startWorker(0, { JOB_LOCK_MS: '30000' });
    const api2 = await startApi(1);
    const worker2 = await startWorker(1, { JOB_LOCK_MS: '30000' });
    try {
      // A third funder, so that the import cases below compare Atlas and CDC rows only.
      const tokens = [await login('officer@ara.demo', API_PORTS[0]), await login('officer@ara.demo', API_PORTS[1])];
      const recomputesBefore = (await recomputeRows()).length;
      const files = [];
      for (let i = 0; i < 6; i++) files.push(await generateCsv(2_000, `two-by-two-${i}`, 200));
      for (const f of files) await registerProviders(f.generator);
      const before = (await actionsDigest(ara)).n;
      const posted = await Promise.all(files.map((f, i) => postImport(API_PORTS[i % 2], tokens[i % 2], f.csv)));
      assert.deepEqual(posted.map((p) => p.status), files.map(() => 202));
      const exemptions = [];
      for (let i = 0; i < 6; i++) exemptions.push(await exemptionChangingCoverage(platform, API_PORTS[i % 2]));
      const done = await Promise.all(posted.map((p) => waitImport(p.body.id, 120_000)));
      assert.deepEqual(done.map((d) => d.status), files.map(() => 'SUCCEEDED'));
      await until('every recompute finished', async () => (await recomputeRows()).slice(recomputesBefore).every((r) => r.state === 'COMPLETED'), 60_000, 200);
      const jobs = await Promise.all(posted.map((p) => finishedJob(p.body.jobId)));
      assert.deepEqual(jobs.map((j) => [j.state, j.runs, j.completions]), files.map(() => ['COMPLETED', 1, 1]));
      const recomputes = (await recomputeRows()).slice(recomputesBefore);
      assert.ok(recomputes.length >= 1 && recomputes.length <= 6, `${recomputes.length} recompute rows for 6 requests`);
      assert.deepEqual(recomputes.map((r) => [r.runs, r.completions]), recomputes.map(() => [1, 1]));
      const after = await actionsDigest(ara);
      const accepted = done.reduce((n, d) => n + d.counts.inserted, 0);
      assert.equal(after.n, before + accepted);
      assert.equal(after.n, after.refs, 'duplicate external refs');
      // Coverage is right under its lock: a recompute from here changes nothing.
      const snapshot = await coverageSnapshot();
      const check = await uninterruptedRecompute();
      assert.equal(check.result.changed, 0);
      assert.equal((await coverageSnapshot()).digest, snapshot.digest);
      const perWorker = await q(`SELECT count(*)::int AS n FROM job_outbox WHERE state = 'COMPLETED' AND completions <> 1`);
      assert.equal(perWorker[0].n, 0);
      log(`  6 imports (${accepted} actions) and 6 registry changes through 2 APIs: every import job ran once; ${recomputes.length} recompute runs, each once; coverage digest ${snapshot.digest.slice(0, 8)}`);
    } finally {
      await stopChild(worker2);
      await stopChild(api2);
      // Back to the suite's short lock for the kill cases.
      await stopChild(worker);
      worker = await startWorker(0);
    }
  });

  await test(`kill -9 the worker in the middle of a ${IMPORT_ROWS.toLocaleString('en')}-row actions import`, async () => {
    const before = (await actionsDigest(atlas)).n;
    const demoRefs = (await q(`SELECT external_ref FROM funded_actions WHERE organisation_id IN ($1, $2)`, [atlas, cdc])).map((r) => r.external_ref);
    const res = await postImport(API_PORTS[0], officer, big.csv);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const importId = res.body.id;
    await until('the import running', async () => (await importRow(importId)).status === 'RUNNING', 60_000, 20);
    await sleep(500); // well into the COPY
    assert.equal((await importRow(importId)).status, 'RUNNING');
    await kill9(worker);
    log('worker killed during the import; restarting it');
    worker = await startWorker(0);
    const done = await waitImport(importId, 180_000);
    assert.equal(done.status, 'SUCCEEDED', done.error);
    const job = await finishedJob(done.job_id);
    assert.deepEqual({ state: job.state, completions: job.completions, runs: job.runs }, { state: 'COMPLETED', completions: 1, runs: 2 });
    const atlasAfter = await actionsDigest(atlas, demoRefs);
    assert.equal(done.counts.accepted, expectedAccepted);
    assert.equal(atlasAfter.n, expectedAccepted);
    assert.equal((await actionsDigest(atlas)).n, before + expectedAccepted);
    assert.equal(atlasAfter.n, atlasAfter.refs, 'duplicate external refs');
    // The same file imported by another funder without interruption gives the same result.
    const res2 = await postImport(API_PORTS[0], cdcOfficer, big.csv);
    assert.equal(res2.status, 202);
    const clean = await waitImport(res2.body.id, 180_000);
    assert.equal(clean.status, 'SUCCEEDED', clean.error);
    assert.deepEqual(done.counts, clean.counts);
    const cdcAfter = await actionsDigest(cdc, demoRefs);
    assert.equal(cdcAfter.digest, atlasAfter.digest);
    assert.equal(atlasAfter.n, done.counts.accepted);
    const [errors] = await q(`SELECT count(*) FILTER (WHERE import_id = $1)::int AS a, count(*) FILTER (WHERE import_id = $2)::int AS b FROM import_errors`, [importId, res2.body.id]);
    assert.equal(errors.a, errors.b);
    log(`  ${done.counts.accepted} actions, ${done.counts.rejected} rejected rows, digest equal to the uninterrupted import's; job ran twice, completed once`);
  });

  await test('kill -9 the worker in the middle of a coverage recompute', async () => {
    // Many providers lose their certification at once (as a public list would say), then a
    // registry change through the API asks for the recompute in its own transaction.
    await q(
      `INSERT INTO certification_observations (nda, category, certified, observed_on, source)
       SELECT nda, 'TRAINING', false, DATE '2021-01-01', 'PUBLIC_LIST' FROM providers WHERE hashtext(nda) % 3 = 0`,
    );
    const before = await coverageSnapshot();
    const recomputesBefore = (await recomputeRows()).length;
    await exemptionChangingCoverage(platform);
    const rows = await until('the recompute row', async () => ((await recomputeRows()).length > recomputesBefore ? await recomputeRows() : undefined));
    const row = rows[rows.length - 1];
    await until('the recompute running', async () => (await q(`SELECT state FROM job_outbox WHERE id = $1`, [row.id]))[0].state === 'RUNNING', 60_000, 5);
    await kill9(worker);
    log('worker killed during the recompute; restarting it');
    worker = await startWorker(0);
    const finished = await until('the recompute completed', async () => {
      const [r] = await q(`SELECT state, runs, completions, result FROM job_outbox WHERE id = $1`, [row.id]);
      return r.state === 'COMPLETED' ? r : undefined;
    }, 120_000, 200);
    assert.deepEqual({ runs: finished.runs, completions: finished.completions }, { runs: 2, completions: 1 });
    const after = await coverageSnapshot();
    assert.notEqual(after.digest, before.digest, 'the recompute changed nothing');
    assert.ok(after.uncertified > before.uncertified, `uncertified ${before.uncertified} -> ${after.uncertified}`);
    // An uninterrupted run from here finds nothing left to change: the result is the same.
    const second = await uninterruptedRecompute();
    assert.deepEqual({ runs: second.runs, completions: second.completions, changed: second.result.changed }, { runs: 1, completions: 1, changed: 0 });
    assert.equal((await coverageSnapshot()).digest, after.digest);
    log(`  uncertified actions ${before.uncertified} -> ${after.uncertified}; job ran twice, completed once; an uninterrupted run afterwards changed 0 rows`);
  });

  await test('stop Redis during traffic, then start it', async () => {
    const load = traffic(API_PORTS[0], officer, ['/api/v1/actions?limit=5', '/api/v1/checks', '/api/v1/coverage/uncertified?limit=5']);
    await sleep(500);
    await redis.stop();
    const downAt = Date.now();
    await sleep(1_000);
    const ready = await http(API_PORTS[0], 'GET', '/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'degraded');
    // Imports asked for during the outage: accepted, their job waits in the outbox.
    const small = [];
    for (let i = 0; i < 3; i++) {
      const { csv } = await generateCsv(200, `redis-outage-${i}`, 50);
      const res = await postImport(API_PORTS[0], officer, csv);
      assert.equal(res.status, 202, `import during the outage: ${res.status} ${JSON.stringify(res.body)}`);
      small.push(res.body);
    }
    const jobStatus = await http(API_PORTS[0], 'GET', `/api/v1/jobs/${small[0].jobId}`, { token: officer });
    assert.equal(jobStatus.status, 503);
    assert.equal(jobStatus.body.code, 'DEPENDENCY.UNAVAILABLE');
    assert.ok(Number(jobStatus.headers.get('retry-after')) > 0);
    assert.match(jobStatus.headers.get('content-type'), /application\/problem\+json/);
    const imported = await http(API_PORTS[0], 'GET', `/api/v1/imports/${small[0].id}`, { token: officer });
    assert.equal(imported.status, 200);
    assert.equal(imported.body.status, 'QUEUED');
    await sleep(2_000);
    for (const s of small) {
      assert.equal((await importRow(s.id)).status, 'QUEUED');
      const job = await outboxRowOfJob(s.jobId);
      assert.equal(job.state, 'PENDING');
    }
    outage.push(['Redis killed', `POST /actions/imports: ${small.length} x 202 (held in the job outbox); GET /jobs/{id}: ${jobStatus.status} ${jobStatus.body.code}, Retry-After ${jobStatus.headers.get('retry-after')}; readiness ${ready.status} "${ready.body.status}"; import status read from PostgreSQL: ${imported.status}`]);
    redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm run test:faults', persistent: true });
    const upAt = Date.now();
    const finished = [];
    for (const s of small) finished.push(await waitImport(s.id, 60_000));
    const seen = await load.stop();
    for (const f of finished) assert.equal(f.status, 'SUCCEEDED', f.error);
    const jobs = await Promise.all(small.map((s) => finishedJob(s.jobId)));
    assert.deepEqual(jobs.map((j) => [j.state, j.runs, j.completions]), small.map(() => ['COMPLETED', 1, 1]));
    // The relay stops at the first row Redis refuses (the rest wait behind it): that row counts the tries.
    assert.ok(Math.max(...jobs.map((j) => j.relay_attempts)) >= 1, `the relay tried while Redis was down: ${JSON.stringify(jobs)}`);
    const during = seen.filter((s) => s.at > downAt && s.at < upAt);
    assert.ok(during.length > 5, `${during.length} reads during the outage`);
    assert.deepEqual([...new Set(during.map((s) => s.status))], [200], `reads during the Redis outage: ${JSON.stringify(during.filter((s) => s.status !== 200).slice(0, 3))}`);
    const accepted = finished.reduce((n, f) => n + f.counts.accepted, 0);
    outage.push(['same', `imports asked for during the outage: ${finished.length} SUCCEEDED after Redis came back, each job run once (${accepted} actions); nothing left QUEUED`]);
    const after = await http(API_PORTS[0], 'GET', `/api/v1/jobs/${small[0].jobId}`, { token: officer });
    assert.equal(after.status, 200);
    outage.push(['Redis back', `API and worker reconnected by themselves; GET /jobs/{id} ${after.status} (${after.body.state}); ${during.length} reads during the outage all 200`]);
  });

  await test('restart PostgreSQL during traffic', async () => {
    const load = traffic(API_PORTS[0], officer, ['/api/v1/actions?limit=5', '/api/v1/checks']);
    await sleep(500);
    await pg.stop();
    const downAt = Date.now();
    const readyDown = await until('readiness down', async () => {
      const r = await http(API_PORTS[0], 'GET', '/health/ready');
      return r.status === 503 ? r : undefined;
    }, 15_000, 100);
    const workerDown = await http(WORKER_PORTS[0], 'GET', '/health/ready');
    await sleep(2_000);
    const read = await http(API_PORTS[0], 'GET', '/api/v1/actions?limit=5', { token: officer });
    const write = await postImport(API_PORTS[0], officer, (await generateCsv(10, 'during-pg-outage', 5)).csv);
    pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm run test:faults' });
    const upAt = Date.now();
    await admin.end().catch(() => undefined);
    admin = adminPool();
    const readyUp = await until('readiness up', async () => {
      const r = await http(API_PORTS[0], 'GET', '/health/ready');
      return r.status === 200 && r.body.status === 'ok' ? r : undefined;
    }, 30_000, 200);
    await sleep(1_000);
    const seen = await load.stop();
    assert.equal(readyDown.body.details.database.status, 'down');
    assert.equal(workerDown.status, 503);
    assert.equal(read.status, 503);
    assert.equal(read.body.code, 'DEPENDENCY.UNAVAILABLE');
    assert.ok(Number(read.headers.get('retry-after')) > 0);
    assert.equal(write.status, 503, `a write while PostgreSQL is down: ${write.status} ${JSON.stringify(write.body)}`);
    assert.equal(write.body.code, 'DEPENDENCY.UNAVAILABLE');
    const during = seen.filter((s) => s.at > downAt && s.at < upAt);
    const slowest = Math.max(...seen.map((s) => s.ms));
    assert.ok(during.length > 3, `${during.length} reads during the outage`);
    assert.deepEqual([...new Set(during.map((s) => s.status))].filter((s) => s !== 503 && s !== 200), [], `statuses: ${JSON.stringify(during.slice(0, 5))}`);
    assert.ok(slowest <= REQUEST_BOUND_MS, `slowest request ${slowest} ms`);
    const last = seen.filter((s) => s.at > upAt + 500);
    assert.ok(last.length > 0 && last.every((s) => s.status === 200), 'reads recover');
    // The worker resumes: an import after the restart runs.
    await until('worker ready again', async () => (await fetch(`http://127.0.0.1:${WORKER_PORTS[0]}/health/ready`)).status === 200, 30_000, 200);
    const { csv } = await generateCsv(100, 'after-pg-restart', 20);
    const res = await postImport(API_PORTS[0], officer, csv);
    assert.equal(res.status, 202);
    const done = await waitImport(res.body.id, 60_000);
    assert.equal(done.status, 'SUCCEEDED', done.error);
    assert.equal((await finishedJob(res.body.jobId)).completions, 1);
    outage.push([
      'PostgreSQL stopped',
      `readiness ${readyDown.status}; ${during.filter((s) => s.status === 503).length} of ${during.length} reads answered 503 DEPENDENCY.UNAVAILABLE with Retry-After; slowest request ${slowest} ms (bound ${REQUEST_BOUND_MS} ms)`,
    ]);
    outage.push(['PostgreSQL back', `readiness ${readyUp.status} "${readyUp.body.status}" ${((Date.now() - upAt) / 1000).toFixed(1)} s after the start; reads 200; the worker ran a new import (SUCCEEDED)`]);
  });

  await stopChild(worker);
  await stopChild(api);

  const ISSUE = [
    ['Redis killed', '503 problem+json (DEPENDENCY.UNAVAILABLE, Retry-After)'],
    ['same', 'nothing orphaned: the job is enqueued when Redis returns'],
    ['Redis back', '— (API and worker reconnect by themselves)'],
    ['PostgreSQL stopped', '503 problem+json, no request hanging past its timeout'],
    ['PostgreSQL back', '— (API and worker recover by themselves)'],
  ];
  const lines = ['', 'Outage table (issue 12), re-run:', '', '| fault | expected | observed |', '|---|---|---|'];
  for (const [fault, expected] of ISSUE) {
    const observed = outage.find(([f]) => f === fault)?.[1] ?? '(case failed: see above)';
    lines.push(`| ${fault} | ${expected} | ${observed} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`\nFault suite: ${((Date.now() - started) / 1000).toFixed(0)} s\nTests: ${results.length - failed} passed, ${failed} failed\n`);
  return failed;
}

main()
  .then(async (failed) => {
    await stopAll();
    process.exit(failed ? 1 : 0);
  })
  .catch(async (error) => {
    console.error(`[bo] fault suite failed: ${error.stack ?? error.message}`);
    await stopAll();
    process.exit(1);
  });
