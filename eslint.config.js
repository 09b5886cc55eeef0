// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Bare specifiers only one package may import. libs/core has its own, stricter rule below.
const vendorSdks = (allowedIn) => ({
  files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
  ignores: ['libs/core/**', ...allowedIn],
});
const CORE_FORBIDDEN = ['node:*', 'fs', 'net', 'dgram', 'http', 'https', 'dns2', '@understudy/*'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'coverage/**',
      'test-artifacts/**',
      'apps/cli/bin/**',
      'libs/config/src/generated/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // libs/core stays pure: no I/O, no clock, no randomness, no runtime dependencies.
    files: ['libs/core/src/**/*.ts'],
    ignores: ['libs/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: CORE_FORBIDDEN }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'fetch', 'performance'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Inject a Clock instead.' },
        { object: 'Math', property: 'random', message: 'Inject a Random instead.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Inject a Clock instead.',
        },
      ],
    },
  },
  {
    // One logger: libraries never write to the console.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['libs/*/src/**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Each vendor SDK lives in exactly one package.
    ...vendorSdks(['libs/dns-server/src/**']),
    rules: { 'no-restricted-imports': ['error', { paths: ['dns2'] }] },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain-JS tooling files (this config, the build script): no type information, Node globals.
    files: ['*.js', 'scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
