// web/'s lint rules, for the root eslint.config.js to spread in (`...webLint`): React's hook
// rules for the UI, and the boundaries that keep the socket in one module.
import reactHooks from 'eslint-plugin-react-hooks';

const COMPONENT_PATTERNS = [
  { group: ['node:*', '@openutm/helper', '@openutm/helper/*'], message: 'the browser bundle cannot use Node or the helper' },
  {
    group: ['**/helper-client/connection', '**/helper-client/runtime', '**/helper-client/pending-calls'],
    message: 'components call helper-client/api and read stores/; they never touch the connection',
  },
];

export default [
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['web/src/**/*.test.ts'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // The browser bundle must not reach for Node or the helper.
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['web/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '@openutm/helper', '@openutm/helper/*'] }],
    },
  },
  {
    // Components read stores and call api.ts; only helper-client/ touches the connection.
    files: ['web/src/components/**/*.tsx', 'web/src/app/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'next/link', message: 'use components/nav/app-link: it prefetches a route on intent, not on sight' }],
          patterns: COMPONENT_PATTERNS,
        },
      ],
    },
  },
  {
    files: ['web/src/components/nav/app-link.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: COMPONENT_PATTERNS }] },
  },
];
