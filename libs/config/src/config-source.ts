/**
 * Config text → plain data with `${VAR}` references resolved, and a way back from a config path to a line.
 * The fast reader takes the plain YAML most configs are written in; anything else goes to the `yaml`
 * library, which also reports syntax errors.
 */
import { ConfigError } from '@understudy/core';
import type { ConfigProblem } from '@understudy/core';
import { readFastYaml } from './fast-yaml.js';
import type { Position } from './fast-yaml.js';
import { interpolate, interpolateScalars } from './interpolate.js';
import type { Env, Interpolation } from './interpolate.js';
import type { Path, Problems } from './problems.js';
import { readYaml } from './yaml-source.js';

export interface ConfigSource {
  data: unknown;
  /** YAML-level warnings (the fast reader has none: what would cause them is left to `yaml`). */
  warnings: ConfigProblem[];
  interp: Interpolation;
  locate: (path: Path, atKey?: boolean) => Position | undefined;
}

/** Throws a ConfigError for syntax errors and an empty config; env problems go to `problems`. */
export function readConfigSource(text: string, env: Env, problems: Problems, source: string): ConfigSource {
  const fast = readFastYaml(text);
  if (fast !== undefined) {
    const interp = interpolateScalars(fast.dollars, env, problems);
    return { data: fast.data, warnings: [], interp, locate: fast.locate };
  }
  const yaml = readYaml(text);
  if (yaml.errors.length > 0) throw new ConfigError(yaml.errors, source);
  if (yaml.doc.contents === null)
    throw new ConfigError(
      [{ path: '', message: 'the config is empty; it needs at least `regions`' }],
      source,
    );
  const interp = interpolate(yaml.doc, env, problems);
  let data: unknown;
  try {
    data = yaml.doc.toJS();
  } catch (err) {
    throw new ConfigError([{ path: '', message: (err as Error).message }], source);
  }
  return { data, warnings: yaml.warnings, interp, locate: yaml.locate };
}
