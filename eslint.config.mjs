import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from './tools/eslint/boundaries.cjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'apps/web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { bo: boundaries },
    rules: {
      'bo/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@bo/database',
              importNames: ['SystemDb', 'SYSTEM_DATA_SOURCE'],
              message: 'The system role (BYPASSRLS) is for cross-funder jobs only: use it in a *.job.ts file.',
            },
          ],
        },
      ],
    },
  },
  {
    // Where the system role may be injected: job handlers, the database lib itself, setup and tests.
    files: ['**/*.job.ts', 'libs/database/**', 'apps/cli/**', 'libs/testing/**', 'test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', fetch: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
