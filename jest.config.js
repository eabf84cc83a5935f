// Unit tests sit next to the code (*.spec.ts); integration and end-to-end tests under test/.
// NestJS 12 ships ES modules only: @swc/jest compiles our TypeScript and those packages to
// CommonJS, so the suite runs in Jest's default (CommonJS) mode.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      // Rewrites @bo/* at compile time, so files Jest loads outside its module registry
      // (globalSetup) resolve them too.
      baseUrl: __dirname,
      paths: { '@bo/*': ['libs/*/src'] },
    },
    module: { type: 'commonjs' },
  },
];
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/** Packages shipped as ES modules only (`"type": "module"`): Jest must compile them. */
function esmPackages() {
  const root = join(__dirname, 'node_modules');
  const names = [];
  for (const entry of readdirSync(root)) {
    const dirs = entry.startsWith('@') ? readdirSync(join(root, entry)).map((d) => `${entry}/${d}`) : [entry];
    for (const name of dirs) {
      const manifest = join(root, name, 'package.json');
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).type === 'module') names.push(name);
    }
  }
  return names.map((n) => n.replace(/[.+]/g, '\\$&'));
}
// @fastify/cookie loads the ES-module-only `cookie` with a dynamic import(), which Jest's CommonJS
// runtime refuses: compiling it turns that import into a require.
const ESM_PACKAGES = [...esmPackages(), '@fastify/cookie'];
const moduleNameMapper = {
  '^@bo/([a-z-]+)$': '<rootDir>/libs/$1/src',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // ES module files of CommonJS packages (.mjs "module-sync" entries) are compiled too.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)(?!.*\\.mjs$)`],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
  // Resolve packages as Node's require(esm) does at run time ("module-sync" entries).
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'module-sync'] },
};
module.exports = {
  testTimeout: 30000,
  // A leaked handle must never hang CI for its whole budget; leaks are hunted with --detectOpenHandles.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...common,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
  ],
};
