import { expect } from 'vitest';
import { ConfigError } from '@understudy/core';
import type { ConfigProblem } from '@understudy/core';
import { parseConfig } from '../parse-config.js';

/** The problems a config raises; fails the test when the config is accepted. */
export function problemsOf(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  try {
    parseConfig(text, { env, baseDir: '/cfg', source: 'bad.yaml' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return expect.fail('config was accepted');
}
