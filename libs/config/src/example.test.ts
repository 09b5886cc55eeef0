import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './load-config.js';
import { configSchema } from './schema.js';

const EXAMPLE = new URL('../../../examples/understudy.example.yaml', import.meta.url).pathname;

describe('examples/understudy.example.yaml', () => {
  it('validates without problems or warnings', async () => {
    const { config, warnings } = await loadConfig(EXAMPLE, { env: {} });
    expect(warnings).toEqual([]);
    expect(config.regions).toEqual(['us-east', 'eu-west', 'ap-south']);
    expect(config.checks.map((c) => c.id)).toEqual(['primary-web', 'secondary-web', 'mail-smtp']);
    expect(config.zones[0]!.failover.map((f) => f.id)).toEqual([
      'app.example.test./A',
      'mail-in.example.test./CNAME',
    ]);
  });

  it('takes the token from the environment when it is set', async () => {
    const { config } = await loadConfig(EXAMPLE, { env: { HEALTH_TOKEN: 'abc123' } });
    const web = config.checks[0]!;
    expect(web.type === 'https' && web.headers.Authorization).toBe('Bearer abc123');
  });

  it('passes the JSON schema alone, as an editor sees it', async () => {
    const validate = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }).compile(configSchema);
    const ok = validate(parse(await readFile(EXAMPLE, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});
