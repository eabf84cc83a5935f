// `npm start`: the whole system on one machine. Without DATABASE_URL it starts an embedded
// PostgreSQL and a local Redis under .data/, generates development secrets, sets up the database
// (roles, migrations, reference and demo data), then runs the API and the worker as separate
// processes. Ctrl-C or SIGTERM stops everything it started.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from './build.mjs';
import { ROOT, loadSecrets, log, roleUrls, startPostgres, startRedis } from './lib/services.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node ${process.versions.node} is too old: this project needs Node >= 20.19.`);
  process.exit(1);
}

const DATA_DIR = process.env.BO_DATA_DIR ?? join(ROOT, '.data');
const PG_PORT = Number(process.env.BO_PG_PORT ?? 54320);
const REDIS_PORT = Number(process.env.BO_REDIS_PORT ?? 63790);
const stops = [];
const children = new Set();
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  for (const child of children) child.kill('SIGTERM');
  await Promise.all([...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r)))));
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`[bo] stop failed: ${error.message}`);
    }
  }
  log('stopped');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));

function run(name, script, args, env) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(ROOT, script), ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.add(child);
  return child;
}

async function main() {
  build();
  const env = { ...process.env };
  const managed = !process.env.DATABASE_URL;
  if (managed) {
    const secrets = loadSecrets(DATA_DIR);
    log(`starting PostgreSQL on 127.0.0.1:${PG_PORT} (data in .data/pg)`);
    const pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm start' });
    stops.push(pg.stop);
    Object.assign(env, roleUrls(PG_PORT, 'bo', secrets), {
      NODE_ENV: env.NODE_ENV ?? 'development',
      JWT_SECRET: env.JWT_SECRET ?? secrets.jwtSecret,
      SIGNING_KEYS: env.SIGNING_KEYS ?? secrets.signingKey,
      BLOB_DIR: env.BLOB_DIR ?? join(DATA_DIR, 'blobs'),
      DEMO_DATA: env.DEMO_DATA ?? '1',
    });
  }
  // With DATABASE_URL set (production, compose) nothing is started: REDIS_URL is then required,
  // and the config class says so if it is missing.
  if (managed && !process.env.REDIS_URL) {
    log(`starting redis-server on 127.0.0.1:${REDIS_PORT} (data in .data/redis)`);
    const redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm start', persistent: true });
    stops.push(redis.stop);
    env.REDIS_URL = redis.url;
  }

  const setup = run('setup', 'dist/apps/cli/src/main.js', ['setup'], env);
  const setupCode = await new Promise((r) => setup.once('exit', (code) => r(code)));
  children.delete(setup);
  if (setupCode !== 0) throw new Error('database setup failed (see above)');

  const port = Number(env.PORT ?? 3000);
  for (const [name, script] of [
    ['api', 'dist/apps/api/src/main.js'],
    ['worker', 'dist/apps/worker/src/main.js'],
  ]) {
    const child = run(name, script, [], env);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[bo] the ${name} process stopped (${signal ?? `exit ${code}`}); stopping everything.`);
        void shutdown(1);
      }
    });
  }
  await waitReady(port);
  if (stopping) return;
  const base = `http://localhost:${port}`;
  const { DEMO_USERS, DEMO_PASSWORD } = await import(join(ROOT, 'dist/apps/cli/src/demo-data.js'));
  const lines = [
    '',
    'Back office qualité des financeurs is running.',
    `  Web UI     ${base}/`,
    `  API        ${base}/api/v1`,
    `  API docs   ${base}/api/docs   (OpenAPI JSON: ${base}/api/docs-json)`,
    `  Health     ${base}/health/ready`,
    `  Jobs board ${base}/admin/queues   (platform administrators)`,
    '',
  ];
  if (env.DEMO_DATA === '1' || env.DEMO_DATA === 'true') {
    lines.push(`Demo log-ins (password for all: ${DEMO_PASSWORD}):`);
    for (const u of DEMO_USERS) lines.push(`  ${u.email.padEnd(24)} ${u.roles.join('+').padEnd(24)} ${u.what}`);
    lines.push('');
  }
  lines.push('Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

async function waitReady(port) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) throw new Error(`the API did not become ready on port ${port} within 60 s`);
}

main().catch((error) => {
  console.error(`[bo] ${error.message}`);
  void shutdown(1);
});
