// `npm run bench -- --api [--seconds N]`: API latency on a data set of national shape (150,000
// providers, 1,000,000 funded actions, 20,000 checks; bench/national-dataset.sql, generated once
// per data folder). For each route an officer opens all day: p50 / p99 at a steady 200 req/s
// (open loop, evenly spaced; latency from each request's due time; every route's before any
// saturation run, so that none inherits the garbage of a minute at full load) and the saturation
// throughput (autocannon, 10 connections, median of three runs interleaved with the baseline's), next to a minimal handler in the same process that runs
// the same statements in the same transaction through `pg` (bench/api-server.mjs), and the
// ratio; then the bulk funding check of 1,000 items against one single check (sequential).
// Loopback, each run bounded by --seconds (default 5). Starts its own PostgreSQL and
// Redis (ports BO_BENCH_PG_PORT / BO_BENCH_REDIS_PORT, default 54390 / 63890, data in .data/bench)
// and the API on BO_BENCH_API_PORT (default 3390) and BO_BENCH_MINIMAL_PORT (default 3391).
import { fork, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from '../scripts/build.mjs';
import { ROOT, loadSecrets, log, roleUrls, startPostgres, startRedis } from '../scripts/lib/services.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const autocannon = require('autocannon');
const { hash } = require('@node-rs/argon2');

const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const SECONDS = arg('--seconds', 5);
const RATE = 200;
const CONNECTIONS = 10;
const SATURATION_PAIRS = 3;
const WARM_UP_SECONDS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const DATA_DIR = process.env.BO_BENCH_DATA_DIR ?? join(ROOT, '.data', 'bench');
const PG_PORT = Number(process.env.BO_BENCH_PG_PORT ?? 54390);
const REDIS_PORT = Number(process.env.BO_BENCH_REDIS_PORT ?? 63890);
const API_PORT = Number(process.env.BO_BENCH_API_PORT ?? 3390);
const MINIMAL_PORT = Number(process.env.BO_BENCH_MINIMAL_PORT ?? 3391);
const DATABASE = 'bo_bench_api';
const PASSWORD = 'bench-api-2026';
const stops = [];

async function stopAll() {
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(`[bo] ${e.message}`));
  stops.length = 0;
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll().then(() => process.exit(130)));

const waitExit = (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

/** Starts bench/api-server.mjs (the API and the minimal handler) and waits for it to listen. */
async function startServer(env) {
  const server = fork(join(ROOT, 'bench/api-server.mjs'), [], { env: { ...env, PORT: String(API_PORT), BENCH_MINIMAL_PORT: String(MINIMAL_PORT) }, stdio: 'inherit' });
  const stop = async () => {
    server.kill('SIGTERM');
    await waitExit(server);
  };
  stops.push(stop);
  await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`the API process stopped (${code}) before listening`)));
  });
  return { server, stop };
}

async function dataset(db, env) {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM providers`)).rows;
  const [{ officer }] = (await db.query(`SELECT count(*)::int AS officer FROM users WHERE email = 'bench.officer@atlas.bench'`)).rows;
  if (officer === 0) {
    await db.query(
      `INSERT INTO users (organisation_id, email, display_name, password_hash, roles)
       SELECT id, 'bench.officer@atlas.bench', 'Bench officer', $1, '{officer}'::text[] FROM organisations WHERE code = 'OPCO-ATLAS'
       UNION ALL SELECT id, 'bench.bulk@atlas.bench', 'Bench bulk', $1, '{officer}'::text[] FROM organisations WHERE code = 'OPCO-ATLAS'`,
      [await hash(PASSWORD)],
    );
  }
  if (n >= 150000) return log('data set of national shape already in place');
  log('generating the data set of national shape (150,000 providers, 1,000,000 funded actions, 20,000 checks)');
  const started = Date.now();
  // The template check comes from the API itself, so that its scope is a real one.
  await db.query(`INSERT INTO providers (nda, siren, siret, name) VALUES ('10999999999', '732829320', '73282932000074', 'MODELE') ON CONFLICT DO NOTHING`);
  const { stop } = await startServer(env);
  const token = await login('bench.officer@atlas.bench');
  const res = await fetch(`http://127.0.0.1:${API_PORT}/api/v1/checks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'DOCUMENTARY', providerSiret: '73282932000074', scopeContext: { categories: ['TRAINING'] } }),
  });
  if (res.status !== 201) throw new Error(`template check: ${res.status} ${await res.text()}`);
  const template = (await res.json()).id;
  await stop();
  stops.splice(stops.indexOf(stop), 1);
  await db.query(readFileSync(join(ROOT, 'bench/national-dataset.sql'), 'utf8').replace('__TEMPLATE__', template));
  log(`data set generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function login(email) {
  const res = await fetch(`http://127.0.0.1:${API_PORT}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()).accessToken;
}

function cannon(options, seconds = SECONDS) {
  return new Promise((resolve, reject) => {
    autocannon({ ...options, duration: seconds }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round1 = (ms) => Math.round(ms * 10) / 10;

/** One request through `agent`; resolves with its status once the whole body is read. */
function send(agent, url, route) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, method: route.method, headers: { ...route.headers, ...(route.body ? { 'content-length': Buffer.byteLength(route.body) } : {}) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(route.body);
  });
}

/**
 * Latency at a steady RATE req/s, open loop: request i is due at start + i / RATE whatever the
 * answers before it, and its latency runs from that due time to the end of its answer, so a
 * stalled server or a late client shows in the figures (no coordinated omission). autocannon's
 * own rate limit (8.0: `overallRate`) cannot measure this: each connection sends back to back
 * until its quota for the second is spent, then waits for the next second, so the load comes in
 * bursts at full concurrency and the latencies are those of saturation.
 */
async function paced(url, route) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = `${url}${route.target}`;
  const count = RATE * SECONDS;
  const interval = 1000 / RATE;
  const latencies = [];
  let failed = 0;
  const inFlight = [];
  const start = performance.now() + 20;
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(agent, target, route).then(
        (status) => (status >= 200 && status < 300 ? latencies.push(performance.now() - due) : failed++),
        () => failed++,
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  if (failed) throw new Error(`${route.name} (paced) at ${url}: ${failed} failed requests of ${count}`);
  latencies.sort((a, b) => a - b);
  return { p50: round1(percentile(latencies, 50)), p99: round1(percentile(latencies, 99)) };
}

/** `n` requests one after the other on one connection: the service time, to the tenth of a millisecond. */
async function sequential(url, route, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = `${url}${route.target}`;
  const latencies = [];
  for (let i = 0; i < n + 3; i++) {
    const t = performance.now();
    const status = await send(agent, target, route);
    if (status < 200 || status >= 300) throw new Error(`${route.name} (sequential) at ${url}: status ${status}`);
    if (i >= 3) latencies.push(performance.now() - t); // three warm-up requests
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { p50: round1(percentile(latencies, 50)), p99: round1(percentile(latencies, 99)) };
}

/** Saturation: mean req/s with CONNECTIONS connections sending back to back (autocannon). */
async function saturation(url, route) {
  const result = await cannon({ url: `${url}${route.target}`, method: route.method, headers: route.headers, body: route.body, connections: CONNECTIONS });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad) throw new Error(`${route.name} (saturation) at ${url}: ${bad} failed requests of ${result.requests.total}`);
  return { rps: result.requests.average };
}

/** A valid SIRET (Luhn keys) that is not in the data set (SIRENs from 9xxxxxxxx). */
function unknownSiret(i) {
  const { luhnCheckDigit } = require(join(ROOT, 'dist/libs/registry/src/index.js'));
  const siren = `9000000${i}` + luhnCheckDigit(`9000000${i}`);
  const body = `${siren}0001`;
  return body + luhnCheckDigit(body);
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main() {
  build();
  const secrets = loadSecrets(DATA_DIR);
  const pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm run bench -- --api' });
  stops.push(pg.stop);
  const redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm run bench -- --api', persistent: false });
  stops.push(redis.stop);
  const env = {
    ...process.env,
    ...roleUrls(PG_PORT, DATABASE, secrets),
    NODE_ENV: 'production',
    JWT_SECRET: secrets.jwtSecret,
    SIGNING_KEYS: secrets.signingKey,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{benchapi}',
    BLOB_DIR: join(DATA_DIR, 'blobs'),
    DEMO_DATA: '0',
    LOG_LEVEL: 'warn',
  };
  const setup = spawn(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'setup'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if ((await waitExit(setup)) !== 0) throw new Error('database setup failed');
  const db = new Client({ connectionString: env.DATABASE_MIGRATION_URL });
  db.on('error', () => undefined); // the server stopping under it at the end is not news
  await db.connect();
  await dataset(db, env);

  // A typical question: a certified organisation's second site, with the funder's open majors and blocked payments on it.
  const [target] = (
    await db.query(`SELECT p.siret FROM providers p
                      JOIN checks c ON left(c.provider_siret, 9) = p.siren::text
                      JOIN corrective_actions ca ON ca.check_id = c.id AND ca.status = 'OPEN'
                     WHERE c.organisation_id = (SELECT id FROM organisations WHERE code = 'OPCO-ATLAS') AND p.siret LIKE '%0002_'
                     ORDER BY p.siret LIMIT 1`)
  ).rows;
  const bulkSirets = (await db.query(`SELECT siret FROM providers ORDER BY hashtext(nda) LIMIT 995`)).rows.map((r) => r.siret);
  await db.end();

  const { server } = await startServer(env);
  const auth = { authorization: `Bearer ${await login('bench.officer@atlas.bench')}` };
  const bulkAuth = { authorization: `Bearer ${await login('bench.bulk@atlas.bench')}` };
  const json = { 'content-type': 'application/json' };
  // 1,000 questions: unknown SIRETs, other sites, NDAs named, past dates, mixed categories.
  const bulkItems = [
    ...bulkSirets.map((siret, i) => ({ siret, category: ['TRAINING', 'APPRENTICESHIP', 'VAE'][i % 3], ...(i % 7 === 0 ? { date: '2024-03-01' } : {}) })),
    ...['73282932000074', ...[1, 2, 3, 4].map(unknownSiret)].map((siret) => ({ siret, category: 'TRAINING' })),
  ];
  const routes = [
    { name: 'funding-check', method: 'GET', target: `/api/v1/providers/${target.siret}/funding-check?category=TRAINING`, headers: auth },
    { name: 'checks', method: 'GET', target: '/api/v1/checks', headers: auth },
    { name: 'actions', method: 'GET', target: '/api/v1/actions', headers: auth },
    { name: 'providers-search', method: 'GET', target: '/api/v1/providers?q=institut%20sante', headers: auth },
    { name: 'imports', method: 'GET', target: '/api/v1/imports', headers: auth },
    { name: 'bulk-1000', method: 'POST', target: '/api/v1/funding-checks', headers: { ...bulkAuth, ...json }, body: JSON.stringify({ items: bulkItems }) },
  ];
  server.send({ type: 'capture', routes: routes.map((r) => ({ name: r.name, method: r.method, path: r.target, headers: r.headers, body: r.body })) });
  const captured = await new Promise((resolve) => server.on('message', (m) => m.type === 'captured' && resolve(m.routes)));
  for (const [name, c] of Object.entries(captured)) {
    const shape = c.transaction
      ? `${c.statements} statement(s) in one transaction opened with the tenant setting in the same message`
      : `${c.statements} statement, no transaction (shared reference data)`;
    log(`${name}: ${c.status}, ${c.bytes} bytes (minimal handler: ${c.minimalBytes} bytes of raw rows), ${shape}`);
    if (c.status !== 200 || c.statements === 0) throw new Error(`${name} answered ${c.status}: ${c.sample}`);
    // Raw rows are smaller or larger than the API's mapped JSON, but never nearly empty.
    if (c.minimalBytes < c.bytes / 10) throw new Error(`${name}: the minimal handler answered ${c.minimalBytes} bytes against the API's ${c.bytes}: it does not replay the same work`);
  }

  const api = `http://127.0.0.1:${API_PORT}`;
  const minimal = `http://127.0.0.1:${MINIMAL_PORT}`;
  const rows = [];
  log(`load average before: ${loadAverage()}`);
  const measured = routes.filter((r) => r.name !== 'bulk-1000');
  const minimalOf = (route) => ({ ...route, target: `/${route.name}`, headers: {}, body: undefined, method: 'GET' });
  // Warm-up, not measured: every route on both servers, so that no first measurement meets a cold
  // process (JIT, pooled connections without their prepared statements) while its counterpart,
  // measured later, is warm. (Before, the first route's API saturation ran on a cold process.)
  for (const route of measured) {
    await cannon({ url: `${api}${route.target}`, method: route.method, headers: route.headers, connections: CONNECTIONS }, WARM_UP_SECONDS);
    await cannon({ url: `${minimal}/${route.name}`, connections: CONNECTIONS }, WARM_UP_SECONDS);
  }
  // Latency at the steady rate first, every route, all in the same state (after the warm-up),
  // before any saturation run: measured right after a minute of its own route at full load, a
  // route's paced run inherits that minute's garbage and pooled-connection churn (one such run
  // gave /actions a 58 ms p99, where its paced runs after the warm-up give 4-6 ms).
  const rates = new Map();
  for (const route of measured) {
    rates.set(route.name, { apiRate: await paced(api, route), minRate: await paced(minimal, minimalOf(route)) });
  }
  for (const route of measured) {
    const minimalRoute = minimalOf(route);
    // Saturation in SATURATION_PAIRS interleaved pairs (API then minimal handler, the order
    // alternating): one 10-connection run on two cores shared by the client, the API and the
    // database swings by a third from run to run, so one run of each side says little.
    const pairs = [];
    for (let i = 0; i < SATURATION_PAIRS; i++) {
      const first = i % 2 === 0 ? await saturation(api, route) : await saturation(minimal, minimalRoute);
      const second = i % 2 === 0 ? await saturation(minimal, minimalRoute) : await saturation(api, route);
      const [apiRps, minRps] = i % 2 === 0 ? [first.rps, second.rps] : [second.rps, first.rps];
      pairs.push({ apiRps, minRps, ratio: apiRps / minRps });
    }
    const apiSat = { rps: median(pairs.map((p) => p.apiRps)) };
    const minSat = { rps: median(pairs.map((p) => p.minRps)) };
    const ratio = median(pairs.map((p) => p.ratio));
    const { apiRate, minRate } = rates.get(route.name);
    rows.push({ route, apiRate, apiSat, minRate, minSat, ratio, statements: `${captured[route.name].statements}${captured[route.name].transaction ? ' tx' : ''}` });
    log(
      `${route.name}: api p50 ${apiRate.p50} ms p99 ${apiRate.p99} ms; saturation pairs (api / minimal req/s): ${pairs.map((p) => `${Math.round(p.apiRps)} / ${Math.round(p.minRps)}`).join(', ')}`,
    );
  }
  // Bulk against single, sequential (one connection): 40 single checks, 20 bulk requests (under the bulk route's 60/min limit).
  const single = await sequential(api, routes[0], 40);
  const bulk = await sequential(api, routes[5], 20);
  const bulkMinimal = await sequential(minimal, { ...routes[5], target: '/bulk-1000', headers: {}, body: undefined, method: 'GET' }, 20);
  const loadAfter = loadAverage();

  const pad = (s, n) => String(s).padEnd(n);
  const lines = [
    '',
    `API latency, national-shape data set (150,000 providers, 1,000,000 funded actions, 20,000 checks); loopback, ${SECONDS} s per run;`,
    `p50/p99 at a steady ${RATE} req/s (open loop, from each request's due time; all routes before any saturation run); saturation = median over ${SATURATION_PAIRS} runs of mean req/s, autocannon, ${CONNECTIONS} connections, interleaved with the minimal handler's (ratio: median of the pairs' ratios); every route warmed up ${WARM_UP_SECONDS} s on both first. Minimal handler: same process, same statements,`,
    `same transaction and tenant setting, straight through pg. Load average (1/5/15 min) after: ${loadAfter}; ${(await import('node:os')).cpus().length} cores.`,
    '',
    `${pad('route', 62)} ${pad('stmts', 6)} ${pad('p50 / p99 @200', 16)} ${pad('minimal p50/p99', 16)} ${pad('saturation', 11)} ${pad('minimal', 9)} ratio`,
    ...rows.map(
      (r) =>
        `${pad(`${r.route.method} ${r.route.target.replace(/\/providers\/\d+\//, '/providers/{siret}/')}`, 62)} ${pad(r.statements, 6)} ${pad(`${r.apiRate.p50} / ${r.apiRate.p99} ms`, 16)} ${pad(`${r.minRate.p50} / ${r.minRate.p99} ms`, 16)} ${pad(`${Math.round(r.apiSat.rps)}/s`, 11)} ${pad(`${Math.round(r.minSat.rps)}/s`, 9)} ${(r.ratio * 100).toFixed(0)}%`,
    ),
    '',
    `bulk funding check, 1,000 items (sequential, 20 requests): p50 ${bulk.p50} ms, p99 ${bulk.p99} ms (minimal handler: p50 ${bulkMinimal.p50} ms)`,
    `single funding check (sequential, 40 requests):            p50 ${single.p50} ms, p99 ${single.p99} ms`,
    `bulk / single (p50): ${(bulk.p50 / Math.max(single.p50, 1)).toFixed(1)}x for 1,000 answers (target <= 10x)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main()
  .then(() => stopAll())
  .catch(async (error) => {
    console.error(`[bo] bench failed: ${error.stack ?? error.message}`);
    await stopAll();
    process.exit(1);
  });
