import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { SCHEMA_FILE } from './write-schema.js';

describe('configSchema', () => {
  it('is what understudy.schema.json holds (regenerate: npx tsx libs/config/src/write-schema.ts)', async () => {
    const onDisk: unknown = JSON.parse(await readFile(SCHEMA_FILE, 'utf8'));
    expect(onDisk).toEqual(configSchema);
  });

  it('compiles under ajv strict mode as draft-07', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(configSchema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => ajv.compile(configSchema)).not.toThrow();
  });

  it('closes every object schema with additionalProperties', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const s = node as Record<string, unknown>;
      const types = ([] as unknown[]).concat(s.type);
      if (types.includes('object') && s.additionalProperties === undefined) open.push(at);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
    };
    walk(configSchema, '#');
    expect(open).toEqual([]);
  });

  it('is exported for editors through the package', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(pkg.exports['./schema.json']).toBe('./understudy.schema.json');
  });
});
