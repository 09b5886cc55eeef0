import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { configSchema } from './schema.js';
import { problemsOf } from './test-support/problems-of.js';

const withGuard = (guard: string) => `regions: [a]
decider:
  massFailureGuard: ${guard}
`;
const windowOf = (guard: string) =>
  parseConfig(withGuard(guard), { env: {} }).config.decider.massFailureGuard.window;

describe('decider.massFailureGuard.window', () => {
  it('defaults to 60s and reads any duration form', () => {
    expect(windowOf('{ enabled: true }')).toBe(60_000);
    expect(windowOf('{ window: 2m }')).toBe(120_000);
    expect(windowOf('{ window: 1s }')).toBe(1000);
    expect(windowOf('{ window: 90 }')).toBe(90_000);
  });

  it('rejects windows under 1s and non-durations, at the key', () => {
    expect(problemsOf(withGuard('{ window: 999ms }'))).toEqual([
      expect.objectContaining({
        path: 'decider.massFailureGuard.window',
        message: 'must be at least 1s',
        line: 3,
      }),
    ]);
    expect(problemsOf(withGuard('{ window: soon }'))).toEqual([
      expect.objectContaining({
        path: 'decider.massFailureGuard.window',
        message: expect.stringMatching(/is not a duration/) as unknown,
      }),
    ]);
  });

  it('is in the schema with its default, for editors', () => {
    const decider = (configSchema.properties as Record<string, { properties: Record<string, unknown> }>)
      .decider!;
    const guard = decider.properties.massFailureGuard as {
      properties: Record<string, { default?: unknown }>;
    };
    expect(guard.properties.window?.default).toBe('60s');
  });
});
