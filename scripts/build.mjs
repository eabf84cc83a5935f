// Compiles apps and libs to dist/ (tsc type-checks; tsc-alias rewrites @bo/* imports), only when
// a source changed since the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, log } from './lib/services.mjs';

const INPUTS = ['apps', 'libs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const STAMP = join(ROOT, 'dist', '.source-hash');

function* files(path) {
  const stat = statSync(path);
  if (stat.isFile()) return yield path;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    yield* files(join(path, entry));
  }
}

export function sourceHash() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    const path = join(ROOT, input);
    if (!existsSync(path)) continue;
    for (const file of [...files(path)].sort()) hash.update(relative(ROOT, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

export function build({ force = false } = {}) {
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
