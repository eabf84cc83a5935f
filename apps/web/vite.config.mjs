// Vite build of the web UI into apps/web/dist, served by the API at `/` (apps/api/src/platform/web-ui.ts).
// No React plugin: Vite's own transformer compiles TSX with the automatic JSX runtime.
// No source maps in the build (they would be public). Each screen is its own chunk (React.lazy in
// App.tsx); the plugin below prints the gzipped size of the first load (the entry chunk, the chunks
// it imports statically, the dashboard's chunks, and the CSS) and fails the build past FIRST_LOAD_BUDGET.
import { defineConfig } from 'vite';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const FIRST_LOAD_BUDGET = 450 * 1024;

function firstLoadReport() {
  return {
    name: 'bo-first-load-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
      if (!entry) return;
      const seen = new Set();
      const visit = (name) => {
        if (seen.has(name)) return;
        seen.add(name);
        const chunk = bundle[name];
        if (chunk?.type === 'chunk') for (const dep of chunk.imports) visit(dep);
      };
      visit(entry.fileName);
      // The home page is the dashboard: its chunk loads right after the entry, so it counts.
      const home = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/screens/Dashboard.tsx'));
      if (home) visit(home.fileName);
      for (const name of [...seen]) for (const css of bundle[name]?.viteMetadata?.importedCss ?? []) seen.add(css);
      let raw = 0;
      let gz = 0;
      for (const name of seen) {
        const item = bundle[name];
        const code = item.type === 'chunk' ? item.code : item.source;
        raw += Buffer.byteLength(code);
        gz += gzipSync(code, { level: 9 }).length;
      }
      const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
      const line = `first load (entry and dashboard): ${seen.size} files, ${kb(raw)} raw, ${kb(gz)} gzipped (budget ${kb(FIRST_LOAD_BUDGET)})`;
      console.log(`\n[bo] ${line}`);
      if (gz > FIRST_LOAD_BUDGET) this.error(`the ${line} is over budget`);
    },
  };
}

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [firstLoadReport()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // MUI's 'use client' directives mean nothing in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  // `npx vite` in apps/web for development (`npx vite preview` for the build): the API on :3000
// (or BO_API_URL) answers /api.
  server: { proxy: { '/api': process.env.BO_API_URL ?? 'http://127.0.0.1:3000' } },
  preview: { proxy: { '/api': process.env.BO_API_URL ?? 'http://127.0.0.1:3000' } },
});
