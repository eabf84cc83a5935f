// Compiles apps and libs to dist/ (tsc type-checks; tsc-alias rewrites @bo/* imports), and the web
// UI (apps/web, Vite) to apps/web/dist, each only when its own sources changed since its last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, log } from './lib/services.mjs';

const INPUTS = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const STAMP = join(ROOT, 'dist', '.source-hash');
const WEB = join(ROOT, 'apps', 'web');
const WEB_INPUTS = ['apps/web', 'package-lock.json'];
const WEB_STAMP = join(WEB, 'dist', '.source-hash');

function* files(path) {
  const stat = statSync(path);
  if (stat.isFile()) return yield path;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    // The web UI has its own build (buildWeb): its sources do not make the API stale.
    if (join(path, entry) === WEB && path !== WEB) continue;
    yield* files(join(path, entry));
  }
}

export function sourceHash(inputs = INPUTS) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const path = join(ROOT, input);
    if (!existsSync(path)) continue;
    for (const file of [...files(path)].sort()) hash.update(relative(ROOT, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** Builds the web UI into apps/web/dist with Vite, only when its sources changed. */
export function buildWeb({ force = false } = {}) {
  const hash = sourceHash(WEB_INPUTS);
  if (!force && existsSync(WEB_STAMP) && readFileSync(WEB_STAMP, 'utf8') === hash) {
    log('build: web UI up to date');
    return;
  }
  log('build: web UI (vite build)');
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(WEB, 'vite.config.mjs')], { cwd: WEB, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build of apps/web failed');
  writeFileSync(WEB_STAMP, hash);
}

export function build({ force = false } = {}) {
  buildWeb({ force });
  buildServer({ force });
}

/** Compiles apps and libs (not the web UI) to dist/, only when their sources changed. */
export function buildServer({ force = false } = {}) {
  const hash = sourceHash();
  if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    log('build: up to date');
    return;
  }
  log('build: compiling (tsc)');
  const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
  for (const [cmd, args] of [
    [bin('tsc'), ['-p', 'tsconfig.build.json']],
    [bin('tsc-alias'), ['-p', 'tsconfig.build.json']],
  ]) {
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${relative(ROOT, cmd)} failed`);
  }
  writeFileSync(STAMP, hash);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build({ force: process.argv.includes('--force') });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
