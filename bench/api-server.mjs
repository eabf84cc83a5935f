// The process under load in `npm run bench -- --api`: the real API (compiled, production mode)
// and, in the SAME process, a minimal handler on a second port that runs the very statements the
// API ran for each route, in one transaction with the same tenant setting (set_config(..., true),
// i.e. SET LOCAL), straight through `pg`, and answers the rows as JSON. The statements are
// captured from the API itself (a hook on pg's Client.query during one warm-up request per route),
// so the baseline cannot drift from the code it measures.
//
// Driven by the parent (bench/api-latency.mjs) over IPC: {type: 'capture', routes} -> {type: 'captured', routes}.
import { createServer } from 'node:http';
import { URL } from 'node:url';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// The API's V8 settings, as its main.ts applies them before anything else.
require(join(ROOT, 'dist/apps/api/src/runtime-flags.js'));
const pg = require('pg');

let capture = null;
const APP_USER = new URL(process.env.DATABASE_URL).username;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, values, callback) {
  // Only the application role's statements: the outbox relay and other system-role clients of the
  // same process poll in the background and must not land in a route's replay.
  if (capture && !this.minimal && this.connectionParameters?.user === APP_USER) {
    capture.push({ name: config?.name, text: typeof config === 'string' ? config : config.text, values: Array.isArray(values) ? values : (config?.values ?? []) });
  }
  return originalQuery.call(this, config, values, callback);
};

require('reflect-metadata');
const { buildApi } = require(join(ROOT, 'dist/apps/api/src/bootstrap.js'));

const PORT = Number(process.env.PORT);
const MINIMAL_PORT = Number(process.env.BENCH_MINIMAL_PORT);
const { app } = await buildApi();
await app.listen({ port: PORT, host: '127.0.0.1' });

/**
 * The statements of the route's transaction: from BEGIN (TypeORM: START TRANSACTION) to COMMIT;
 * a route reading shared reference data only (provider search) runs one statement outside any
 * transaction: then that statement, after the caller's authentication.
 */
function transactionOf(statements) {
  const begin = statements.findIndex((s) => /^(START TRANSACTION|BEGIN)/i.test(s.text.trim()));
  const commit = statements.findIndex((s, i) => i > begin && /^COMMIT/i.test(s.text.trim()));
  if (begin >= 0 && commit > begin) {
    // The API opens its transaction and sets the tenant in one message ("START TRANSACTION;
    // SELECT set_config(...)"): the minimal handler sends that very message first.
    return { transaction: true, begin: statements[begin].text, statements: statements.slice(begin + 1, commit) };
  }
  const work = statements.filter((s) => !/auth_(session|principal|api_key)/.test(s.text));
  if (work.length !== 1) throw new Error(`no transaction captured in: ${statements.map((s) => s.text.slice(0, 60)).join(' | ')}`);
  return { transaction: false, statements: work };
}

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10), application_name: 'bench-minimal' });
pool.on('connect', (client) => (client.minimal = true));
const replays = new Map();

async function runMinimal({ transaction, begin, statements }) {
  if (!transaction) return (await pool.query(statements[0].text, statements[0].values)).rows;
  const client = await pool.connect();
  try {
    await client.query(begin);
    let rows = [];
    // A statement the API prepared under a name is prepared under that name here too (and, the
    // opening message being the API's, on the same plan_cache_mode).
    for (const s of statements) rows = (await client.query({ name: s.name, text: s.text, values: s.values })).rows;
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const minimal = createServer((req, res) => {
  const replay = replays.get(req.url.slice(1));
  req.resume();
  req.on('end', () => {
    if (!replay) return void res.writeHead(404).end();
    runMinimal(replay).then(
      (rows) => {
        const body = JSON.stringify(rows);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      (error) => res.writeHead(500).end(String(error.message)),
    );
  });
});
// Idle keep-alive connections kept as long as Fastify keeps the API's (72 s): with node:http's 5 s,
// the client's pooled connections, idle after a burst, met the server closing them (ECONNRESET).
minimal.keepAliveTimeout = 72_000;
await new Promise((resolve) => minimal.listen(MINIMAL_PORT, '127.0.0.1', resolve));

process.on('message', async (message) => {
  if (message?.type !== 'capture') return;
  const out = {};
  for (const route of message.routes) {
    capture = [];
    const res = await fetch(`http://127.0.0.1:${PORT}${route.path}`, { method: route.method, headers: route.headers, body: route.body });
    const text = await res.text();
    let replay;
    try {
      replay = transactionOf(capture);
    } catch (error) {
      out[route.name] = { status: res.status, bytes: text.length, statements: 0, sample: `${text.slice(0, 300)} (${error.message})` };
      continue;
    } finally {
      capture = null;
    }
    replays.set(route.name, replay);
    // The minimal handler must answer the same data, or it measures less work (a tenant setting
    // lost in the replay leaves row-level security answering nothing).
    const minimalBytes = JSON.stringify(await runMinimal(replay)).length;
    out[route.name] = { status: res.status, bytes: text.length, minimalBytes, statements: replay.statements.length, transaction: replay.transaction, sample: text.slice(0, 300) };
  }
  process.send({ type: 'captured', routes: out });
});
let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  minimal.close();
  await app.close();
  await pool.end();
  process.exit(0);
});
process.send({ type: 'ready' });
