import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readConfigSource } from './config-source.js';
import { parseConfig } from './parse-config.js';
import { Problems } from './problems.js';
import { checkStructure } from './structure.js';
import { expectSameStructureErrors, runtimeValidator } from './test-support/runtime-validator.js';
import { generateValidator, VALIDATOR_FILE } from './write-validator.js';

const EXAMPLE = new URL('../../../examples/understudy.example.yaml', import.meta.url).pathname;
const exampleData = (): unknown =>
  readConfigSource(readFileSync(EXAMPLE, 'utf8'), {}, new Problems(), 'example').data;

/** Every path to a value in `data`, objects and lists included. */
function paths(data: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (data !== null && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) out.push(...paths(v, [...at, k]));
  return out;
}

/** A copy of `data` with `edit` applied to the parent of `path` (the root has no parent: unchanged). */
function mutate(
  data: unknown,
  path: (string | number)[],
  edit: (parent: never, key: never) => void,
): unknown {
  const copy = structuredClone(data);
  if (path.length === 0) return copy;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  edit(node as never, path.at(-1) as never);
  return copy;
}

// Values of every JSON type and shape the schema's keywords look at: type, enum, pattern, min/max,
// minLength (ucs2length: the astral character counts as one), minItems, propertyNames.
const WRONG_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  70000,
  '',
  'x',
  '💥',
  'Not An Id!',
  [],
  [{}],
  {},
  { 'Bad Key': 1 },
];

describe('the generated config validator (generated/config-validator.js)', () => {
  it('is what write-validator.ts generates from schema.ts now (regenerate: npx tsx libs/config/src/write-validator.ts)', () => {
    expect(readFileSync(VALIDATOR_FILE, 'utf8')).toBe(generateValidator());
  });

  it('accepts the example config, as ajv compiling schema.ts does', () => {
    const data = exampleData();
    expect(expectSameStructureErrors(data)).toBeNull();
    expect(checkStructure(data, new Problems())).toBe(true);
  });

  it('reports the same errors as ajv compiling schema.ts for every value of the example replaced, removed or extended', () => {
    const data = exampleData();
    let invalid = 0;
    for (const path of paths(data)) {
      const variants = [
        ...WRONG_VALUES.map((v) =>
          mutate(data, path, (p: Record<string, unknown>, k: string) => void (p[k] = v)),
        ),
        mutate(data, path, (p: Record<string, unknown>, k: string) => {
          if (Array.isArray(p)) p.splice(Number(k), 1);
          else delete p[k];
        }),
        mutate(data, [...path, 'unknownKey'], (p: Record<string, unknown>) => {
          if (p !== null && typeof p === 'object' && !Array.isArray(p)) p.unknownKey = 1;
        }),
      ];
      for (const variant of variants) if (expectSameStructureErrors(variant) !== null) invalid++;
    }
    // The corpus exercises the validator: thousands of invalid configs, not a handful.
    expect(invalid).toBeGreaterThan(1000);
  });

  it('gives the same problems through checkStructure with either validator', () => {
    const data = mutate(
      exampleData(),
      ['regions', 0],
      (p: unknown[], k: number) => void (p[k] = 'Bad Region'),
    );
    const generated = new Problems();
    const runtime = new Problems();
    expect(checkStructure(data, generated)).toBe(false);
    expect(checkStructure(data, runtime, runtimeValidator())).toBe(false);
    expect(generated.errors).toEqual(runtime.errors);
    expect(generated.errors.length).toBeGreaterThan(0);
  });

  it('is what parseConfig uses: a schema error still names the field', () => {
    expect(() => parseConfig('regions: [us-east]\nquorum: sometimes\n', { env: {} })).toThrow(/quorum/);
  });
});
