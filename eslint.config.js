// One lint config for every workspace; package boundaries are enforced here, not by convention.
import tseslint from 'typescript-eslint';
import webLint from './web/eslint.rules.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '**/.next/**', '.cache/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    // CommonJS on purpose (the helper's launcher, see helper/build.mjs): require is the module system.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // shared/ is imported by the browser too: it must not reach for Node or the helper.
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '@openutm/helper', '@openutm/helper/*', '../../helper/*'] }],
    },
  },
  {
    files: ['helper/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@openutm/web', '@openutm/web/*'] }],
    },
  },
  ...webLint,
);
