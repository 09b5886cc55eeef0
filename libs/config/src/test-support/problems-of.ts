import { expect } from 'vitest';
import { ConfigError } from '@understudy/core';
import type { ConfigProblem } from '@understudy/core';
import { readConfigSource } from '../config-source.js';
import { parseConfig } from '../parse-config.js';
import { Problems } from '../problems.js';
import { expectSameStructureErrors } from './runtime-validator.js';

/**
 * The problems a config raises; fails the test when the config is accepted. Every invalid config of the
 * tests also checks that the generated validator reports what ajv compiling schema.ts now reports.
 */
export function problemsOf(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  sameStructureErrors(text, env);
  try {
    parseConfig(text, { env, baseDir: '/cfg', source: 'bad.yaml' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return expect.fail('config was accepted');
}

function sameStructureErrors(text: string, env: Record<string, string>): void {
  let data: unknown;
  try {
    data = readConfigSource(text, env, new Problems(), 'bad.yaml').data;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError); // a YAML syntax error: no data to validate
    return;
  }
  expectSameStructureErrors(data);
}
