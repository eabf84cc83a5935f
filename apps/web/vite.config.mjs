// Vite build of the web UI into apps/web/dist, served by the API at `/` (apps/api/src/web-ui.ts).
// No React plugin: Vite's own transformer compiles TSX with the automatic JSX runtime.
import { defineConfig } from 'vite';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  // `npx vite` in apps/web for development: the API on :3000 answers /api.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
