// What the in-process SQL benchmarks (bench/pricing.mjs, bench/profile.mjs) share: their flags and
// timing, and a PostgreSQL of their own with the project's database set up on it (no Redis: they
// call the compiled job code in this process, on a client of their own).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { build } from '../build.mjs';
import { ROOT, loadSecrets, roleUrls, startPostgres } from './services.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

/** The number after `name` on the command line, else `fallback`. */
export function numberArg(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

export const seconds = (ms) => (ms / 1000).toFixed(2);

/** Runs `work` and answers its result with the milliseconds it took. */
export async function timed(work) {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

async function connect(connectionString) {
  const client = new Client({ connectionString });
  client.on('error', () => {}); // the server stopping under an open client is not news
  await client.connect();
  return client;
}

/**
 * Builds the project, starts the benchmark's PostgreSQL (data in `dataDir`, on `port`), sets up
 * `database` on it with the CLI (roles, migrations, reference data, no demo data), and calls
 * `work({ db, admin })`: `db` connected as the system role (the jobs' own), `admin` as the
 * superuser on `database` (for generating data; `work` may end it early). Both clients are ended and
 * PostgreSQL stopped afterwards, whether `work` succeeded or not.
 */
export async function withBenchDatabase({ dataDir, port, database, label }, work) {
  build();
  const secrets = loadSecrets(dataDir);
  const pg = await startPostgres({ dataDir, port, superPassword: secrets.superPassword, label });
  const clients = [];
  try {
    const env = {
      ...process.env,
      ...roleUrls(port, database, secrets),
      JWT_SECRET: secrets.jwtSecret,
      SIGNING_KEYS: secrets.signingKey,
      REDIS_URL: 'redis://127.0.0.1:1',
      DEMO_DATA: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    };
    const setup = spawn(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'setup'], { env, stdio: 'inherit' });
    if ((await new Promise((r) => setup.once('exit', r))) !== 0) throw new Error('database setup failed');
    const db = await connect(env.DATABASE_SYSTEM_URL);
    clients.push(db);
    const admin = await connect(env.DATABASE_ADMIN_URL.replace(/\/postgres$/, `/${database}`));
    clients.push(admin);
    await work({ db, admin });
  } finally {
    await Promise.all(clients.map((c) => c.end())).catch(() => {});
    await pg.stop();
  }
}

/** Runs a benchmark's `main`, printing its error and exiting 1 when it fails. */
export function runBenchmark(main) {
  main().catch((error) => {
    console.error(`[bench] ${error.stack ?? error.message}`);
    process.exit(1);
  });
}
