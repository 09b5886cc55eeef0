import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // System tests start real servers on loopback and time real failovers: keep them off each other's CPU.
          fileParallelism: false,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['libs/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support/**', 'libs/*/src/index.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'libs/core/src/**/*.ts': { branches: 95, statements: 95, functions: 95, lines: 95 },
      },
    },
  },
});
