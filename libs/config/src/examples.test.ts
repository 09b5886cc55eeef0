/** Every shipped example validates as `understudy validate` sees it, and passes the JSON schema alone. */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './load-config.js';
import { configSchema } from './schema.js';

const DIR = new URL('../../../examples/', import.meta.url).pathname;
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

describe('examples/', () => {
  it('holds the examples the docs point to', () => {
    expect(EXAMPLES).toContain('understudy.example.yaml');
    expect(EXAMPLES).toContain('geo-steering.example.yaml');
  });

  const validate = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }).compile(configSchema);
  for (const file of EXAMPLES) {
    it(`${file} validates without problems or warnings`, async () => {
      const { warnings } = await loadConfig(`${DIR}${file}`, { env: {} });
      expect(warnings).toEqual([]);
      const ok = validate(parse(readFileSync(`${DIR}${file}`, 'utf8')));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('geo-steering.example.yaml builds its steering rules', async () => {
    const { config } = await loadConfig(`${DIR}geo-steering.example.yaml`, { env: {} });
    const rules = config.zones[0]!.failover[0]!.steering!.rules;
    expect(rules.map((r) => r.order[0])).toEqual(['eu', 'eu', 'ap', 'us']);
    expect(rules[1]!.healthFrom).toEqual(['eu-west', 'eu-central']);
  });
});
