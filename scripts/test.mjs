// `npm test`: starts a PostgreSQL and a Redis of the tests' own (ports 54330 / 63800, data in
// .data/test, so it can run beside `npm start`), runs Jest with any arguments given, stops them,
// and exits with Jest's code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildWeb } from './build.mjs';
import { ROOT, loadSecrets, log, startPostgres, startRedis } from './lib/services.mjs';

const DATA_DIR = process.env.BO_TEST_DATA_DIR ?? join(ROOT, '.data', 'test');
const PG_PORT = Number(process.env.BO_TEST_PG_PORT ?? 54330);
const REDIS_PORT = Number(process.env.BO_TEST_REDIS_PORT ?? 63800);
const stops = [];

async function stopAll() {
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(`[bo] ${e.message}`));
  stops.length = 0;
}

let jest;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    jest?.kill(signal);
    void stopAll().then(() => process.exit(130));
  });
}

/** True unless --selectProjects names projects and neither `browser` nor `security` (which checks the served UI's headers) is among them. */
function browserTestsSelected(args) {
  const at = args.indexOf('--selectProjects');
  if (at < 0) return true;
  const names = [];
  for (const arg of args.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names.includes('browser') || names.includes('security');
}

/** The browser tests drive Debian's Chromium: as root on Debian it is installed when missing. */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/etc/debian_version') && !process.env.CHROMIUM_PATH) {
    log('chromium is missing: installing it with apt-get (Debian package chromium) for the browser tests');
    for (const args of [['update'], ['install', '-y', 'chromium']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
    }
    if (existsSync(path)) return;
  }
  throw new Error(
    `The browser tests need Chromium at ${path}. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.`,
  );
}

/** The document tests render PDFs to PNG with Debian's poppler-utils: as root on Debian it is installed when missing. */
function ensurePoppler() {
  if (spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' }).status === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/etc/debian_version')) {
    log('pdftoppm is missing: installing it with apt-get (Debian package poppler-utils) for the document tests');
    for (const args of [['update'], ['install', '-y', 'poppler-utils']]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
    }
    if (spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' }).status === 0) return;
  }
  throw new Error('The document tests need pdftoppm and pdftotext. Install them (Debian/Ubuntu: sudo apt-get install -y poppler-utils).');
}

async function main() {
  const args = process.argv.slice(2);
  ensurePoppler();
  if (browserTestsSelected(args)) {
    ensureChromium();
    buildWeb();
  }
  const secrets = loadSecrets(DATA_DIR);
  log(`test services: PostgreSQL 127.0.0.1:${PG_PORT}, Redis 127.0.0.1:${REDIS_PORT} (data in ${DATA_DIR})`);
  const pg = await startPostgres({ dataDir: DATA_DIR, port: PG_PORT, superPassword: secrets.superPassword, label: 'npm test' });
  stops.push(pg.stop);
  const redis = await startRedis({ dataDir: DATA_DIR, port: REDIS_PORT, label: 'npm test', persistent: false });
  stops.push(redis.stop);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    BO_TEST_PG_PORT: String(PG_PORT),
    BO_TEST_SECRETS_FILE: join(DATA_DIR, 'secrets.json'),
    BO_TEST_REDIS_URL: redis.url,
  };
  const resultsFile = join(DATA_DIR, 'jest-results.json');
  rmSync(resultsFile, { force: true });
  jest = spawn(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--json', `--outputFile=${resultsFile}`, ...args], { env, stdio: 'inherit', cwd: ROOT });
  const code = await new Promise((r) => jest.once('exit', (c, s) => r(c ?? (s ? 1 : 0))));
  await stopAll();
  // One plain closing line, whatever reads the log: "Tests: N passed, N failed".
  if (existsSync(resultsFile)) {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${failed} failed\n`);
  }
  process.exit(code);
}

main().catch(async (error) => {
  console.error(`[bo] ${error.message}`);
  await stopAll();
  process.exit(1);
});
