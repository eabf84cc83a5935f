// Regenerates apps/web/src/api/schema.d.ts (the web UI's API types) from the OpenAPI document of
// the built API, without PostgreSQL or Redis (Nest preview mode). `--check` only compares and
// exits 1 when the committed file is stale (run by .ci/run).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildServer } from './build.mjs';
import { ROOT } from './lib/services.mjs';

try {
  buildServer();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const args = process.argv.includes('--check') ? ['--check'] : [];
const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'apps', 'api', 'src', 'openapi', 'api-types.js'), ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, BO_ROOT: ROOT },
});
process.exit(r.status ?? 1);
