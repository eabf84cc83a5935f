// Start smoke test (CI): `npm start` twice on a data folder of its own. Each time the API must be
// ready (database and Redis up) and serve a valid OpenAPI 3 document; the second start must reuse
// the embedded data; SIGTERM must leave no postgres or redis process behind.
import { spawn, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/services.mjs';

const DATA_DIR = join(ROOT, '.data', 'smoke');
const PORT = 3190;
// Ports of its own (the benchmark uses 54390/63890).
const PG_PORT = 54391;
const REDIS_PORT = 63891;
const env = { ...process.env, BO_DATA_DIR: DATA_DIR, PORT: String(PORT), WORKER_HEALTH_PORT: '3191', BO_PG_PORT: String(PG_PORT), BO_REDIS_PORT: String(REDIS_PORT) };
delete env.DATABASE_URL;
delete env.REDIS_URL;

function fail(message) {
  console.error(`[smoke] FAILED: ${message}`);
  process.exit(1);
}

function leftovers() {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  const ours = [DATA_DIR, join(ROOT, 'dist', 'apps'), `:${REDIS_PORT}`, `:${PG_PORT}`, `-p ${PG_PORT}`];
  return out.split('\n').filter((line) => ours.some((p) => line.includes(p)) && !line.includes('smoke-start'));
}

async function once(round) {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  let ready;
  while (Date.now() - started < 120_000 && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/health/ready`);
      if (res.status === 200) {
        ready = await res.json();
        break;
      }
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!ready) fail(`round ${round}: not ready within 120 s\n${output.slice(-4000)}`);
  if (ready.details?.database?.status !== 'up' || ready.details?.redis?.status !== 'up') fail(`round ${round}: ${JSON.stringify(ready)}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const doc = await (await fetch(`http://127.0.0.1:${PORT}/api/docs-json`)).json();
  if (!/^3\.\d+\.\d+$/.test(doc.openapi) || Object.keys(doc.paths ?? {}).length < 5) fail(`round ${round}: not an OpenAPI 3 document`);
  const worker = await fetch('http://127.0.0.1:3191/health/ready');
  if (worker.status !== 200) fail(`round ${round}: worker probe answered ${worker.status}`);
  child.kill('SIGTERM');
  const code = await exited;
  await new Promise((r) => setTimeout(r, 1000));
  const left = leftovers();
  if (left.length) fail(`round ${round}: processes left behind:\n${left.join('\n')}`);
  if (code !== 0) fail(`round ${round}: npm start exited with ${code} on SIGTERM instead of stopping cleanly`);
  console.log(`[smoke] round ${round}: ready in ${seconds} s, OpenAPI ${doc.openapi} with ${Object.keys(doc.paths).length} paths, stopped (exit ${code}), nothing left behind`);
  return output;
}

rmSync(DATA_DIR, { recursive: true, force: true });
const first = await once(1);
if (!first.includes('initialising PostgreSQL')) fail('round 1 did not initialise a new cluster');
const second = await once(2);
if (second.includes('initialising PostgreSQL') || !second.includes('demo data: already there')) fail('round 2 did not reuse the embedded data');
console.log('[smoke] second start reused the embedded data');
rmSync(DATA_DIR, { recursive: true, force: true });
