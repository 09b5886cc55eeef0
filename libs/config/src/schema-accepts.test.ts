import { describe, expect, it } from 'vitest';
import { acceptsAt } from './schema-accepts.js';
import { configSchema } from './schema.js';

const at = (...path: (string | number)[]) => {
  const a = acceptsAt(configSchema, path);
  return { ...a, strings: [...a.strings] };
};

describe('acceptsAt', () => {
  it('follows properties, additionalProperties, items and oneOf', () => {
    expect(at('checks', 'web', 'port')).toEqual({
      anyString: false,
      strings: [],
      number: true,
      boolean: false,
    });
    expect(at('checks', 'web', 'headers', 'X-Any')).toEqual({
      anyString: true,
      strings: [],
      number: true,
      boolean: true,
    });
    expect(at('dns', 'workers')).toEqual({
      anyString: false,
      strings: ['auto'],
      number: true,
      boolean: false,
    });
    expect(at('zones', 0, 'failover', 1, 'flapDamping')).toMatchObject({ boolean: true, anyString: false });
    expect(at('logging', 'level').strings).toContain('debug');
  });

  it('skips YAML merge keys, with or without a list of maps', () => {
    expect(at('checks', 'web', '<<', 'fall').number).toBe(true);
    expect(at('checks', 'web', '<<', 1, 'tls', 'verify').boolean).toBe(true);
  });

  it('accepts nothing off the schema', () => {
    expect(at('checks', 'web', 'nope')).toEqual({
      anyString: false,
      strings: [],
      number: false,
      boolean: false,
    });
    expect(at('regions', 'x')).toEqual({ anyString: false, strings: [], number: false, boolean: false });
  });
});
