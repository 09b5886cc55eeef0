// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Each vendor SDK lives in exactly one package (issue 13: the arrows stay honest). Flat config keeps only the
// last `no-restricted-imports` setting that matches a file, so each owner gets one block that forbids the others.
const SDK_OWNERS = {
  'libs/dns-server': ['dns2'],
  'libs/backends': ['bullmq', 'bullmq/*', 'ioredis', 'ioredis/*'],
  'libs/provider-route53': ['@aws-sdk/*', '@smithy/*'],
  'libs/provider-cloudflare': ['cloudflare', 'cloudflare/*'],
};
// Product code never reaches into the test tree by relative path; shared test tools are workspace packages.
const TEST_TREE = ['**/test/**', '!**/test-support/**'];
const sdkRules = (owner) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: Object.entries(SDK_OWNERS)
            .filter(([dir]) => dir !== owner)
            .flatMap(([, sdks]) => sdks),
          message: 'A vendor SDK is imported only by the package that owns it.',
        },
        { group: TEST_TREE, message: 'Import shared test tools through their workspace package, not test/.' },
      ],
    },
  ],
});
const sdkBlocks = () => [
  {
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['libs/core/**', ...Object.keys(SDK_OWNERS).map((dir) => `${dir}/**`)],
    rules: sdkRules(null),
  },
  ...Object.keys(SDK_OWNERS).map((dir) => ({ files: [`${dir}/src/**/*.ts`], rules: sdkRules(dir) })),
  // A provider's `/config` subpath is what libs/config loads: it must not pull its own SDK in either.
  { files: Object.keys(SDK_OWNERS).map((dir) => `${dir}/src/config/**/*.ts`), rules: sdkRules(null) },
];
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
  // Each vendor SDK lives in exactly one package.
  ...sdkBlocks(),
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
